import { afterEach, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import Koa from 'koa';
import { Negotiator } from '../src/api/negotiate.js';
import { DEFAULT_REPRESENTATIONS, type Representation } from '../src/api/representations.js';
import { makeTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

/** A representation that counts its renders, standing in for e.g. an HTML page. */
function counting(type: string, format: string): Representation & { renders: number } {
  const r = {
    format,
    type,
    renders: 0,
    render: ({ summary }: { summary: { status: string } }) => {
      r.renders++;
      return `<p>${summary.status}</p>`;
    },
  };
  return r;
}

describe('Negotiator', () => {
  it('renders a representation once per summary version, then serves the same bytes', async () => {
    t = await makeTestApp();
    const html = counting('text/html', 'html');
    const n = new Negotiator(t.megaphone.host, Date.now, [...DEFAULT_REPRESENTATIONS, html]);
    const first = n.body(html);
    expect(n.body(html)).toBe(first);
    expect(html.renders).toBe(1);
    await t.request.put('/maintenance').send({ reason: 'x' }).expect(201);
    expect(n.body(html).toString()).toBe('<p>Critical</p>');
    expect(html.renders).toBe(2);
  });

  it('lets another feature add a type: browsers get it, load balancers keep the JSON', async () => {
    t = await makeTestApp();
    const html = counting('text/html', 'html');
    const n = new Negotiator(t.megaphone.host, Date.now, [...DEFAULT_REPRESENTATIONS, html]);
    const app = new Koa();
    app.use((ctx) => {
      const r = n.choose(ctx);
      ctx.type = r.type;
      ctx.body = n.body(r);
    });
    const req = supertest(app.callback());
    const browser = await req.get('/').set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    expect(browser.headers['content-type']).toMatch(/^text\/html/);
    expect((await req.get('/')).headers['content-type']).toMatch(/^application\/json/);
    expect((await req.get('/').set('Accept', '*/*')).headers['content-type']).toMatch(/^application\/json/);
    expect((await req.get('/?format=html')).text).toBe('<p>Unknown</p>');
  });
});
