import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { makeOpsApp, type TestApp } from './helpers/app.js';
import { waitFor } from './helpers/wait.js';
import { escapeHtml, renderStatusPage } from '../src/api/status-page.js';
import { STATUS_PAGE_SCRIPT, STATUS_PAGE_SCRIPT_HASH } from '../src/api/status-page-script.js';
import type { CheckState } from '../src/table/check-state.js';

// The browser's document in page callbacks (they run in the page: no closures; the test's types have no DOM).
type Dom = { document: { querySelector(s: string): { textContent: string | null } | null } };

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-artifacts');
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const XSS = '<img src=x onerror="window.pwned=1">"\'&<script>window.pwned=2</script>';

describe('GET / content negotiation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeOpsApp();
  });
  afterAll(() => t.close());

  it.each([
    ['curl (*/*)', '*/*'],
    ['no Accept', undefined],
    ['application/json', 'application/json'],
    ['a browser asking for ?format=json', BROWSER_ACCEPT, '/?format=json'],
    ['a client preferring JSON over HTML', 'text/html;q=0.5, application/json'],
  ])('%s gets JSON', async (_name, accept, url = '/') => {
    const req = t.request.get(url);
    const res = await (accept ? req.set('Accept', accept) : req);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.status).toBe('Unknown');
  });

  it('a browser gets the HTML page, locked down by CSP, with the JSON summary code', async () => {
    const res = await t.request.get('/').set('Accept', BROWSER_ACCEPT).expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'none'");
    // Its one script runs by hash and talks only to this daemon; nothing loads from elsewhere.
    expect(csp).toContain(`script-src ${STATUS_PAGE_SCRIPT_HASH};`);
    expect(csp).toContain("connect-src 'self'");
    expect(res.headers.vary).toBe('Accept');
    expect(res.text).toContain('No services are registered');
    expect(res.text.match(/<script/g)).toHaveLength(1);
    expect(res.text).toContain(`<script>${STATUS_PAGE_SCRIPT}</script>`);
    expect(res.text).not.toMatch(/<script src|src=["']?http|href=["']?http/i);
  });

  it('marks a flapping or stale check in words, and says where each check came from', () => {
    const state = (id: string, extra: Partial<CheckState>) =>
      ({
        check: { id, source: 'config' },
        status: 'Warning',
        message: 'm',
        since: 0,
        flapping: false,
        stale: false,
        ...extra,
      }) as CheckState;
    const html = renderStatusPage({
      hostname: 'h',
      now: 60_000,
      status: 'Warning',
      message: 'x',
      checks: [state('a', { flapping: true }), state('b', { stale: true })],
      recent: [],
    });
    expect(html).toMatch(/<strong class="id">a<\/strong> <span class="flap">⇅ flapping<\/span>/);
    expect(html).toMatch(/<strong class="id">b<\/strong> <span class="flap">⌛ stale<\/span>/);
    expect(html).toContain(
      'since <time datetime="1970-01-01T00:00:00.000Z" title="1970-01-01T00:00:00.000Z">1m ago</time> · source config',
    );
  });

  it('escapes everything untrusted', () => {
    expect(escapeHtml(XSS)).toBe(
      '&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;&quot;&#39;&amp;&lt;script&gt;window.pwned=2&lt;/script&gt;',
    );
  });
});

describe('status page in headless Chromium', () => {
  let browser: Browser;
  let daemon: RunningDaemon;
  let ok: FakeService;
  let bad: FakeService;
  let warn: FakeService;
  beforeAll(async () => {
    ok = await startFakeService();
    bad = await startFakeService({ body: { status: 'Critical', message: `database unreachable ${XSS}` } });
    warn = await startFakeService({ body: { status: 'Warning', message: 'queue depth 1200 > 1000' } });
    daemon = await spawnDaemon({ defaults: { interval: '1s', timeout: '1s' } });
    const register = (id: string, url: string) =>
      fetch(`${daemon.url}/checks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, url }),
      });
    await register('web', ok.url);
    await register('queue', warn.url);
    await register('db', bad.url);
    await waitFor(
      async () => ((await (await fetch(daemon.url)).json()) as { status: string }).status === 'Critical',
      10_000,
    );
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    await Promise.all([ok, bad, warn].map((s) => s?.close()));
  });

  it('shows the Critical check as Critical with its message, escaped, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => void d.dismiss().then(() => dialogs.push(d.message())));
    const res = await page.goto(daemon.url);
    expect(res?.status()).toBe(503);
    expect(res?.headers()['content-type']).toMatch(/text\/html/);

    await expect(page.title()).resolves.toMatch(/^Critical · /);
    const db = page.locator('li.check', { has: page.locator('.id', { hasText: /^db$/ }) });
    await expect(db.locator('.badge').textContent()).resolves.toContain('Critical');
    // The hostile message is shown as text, not run as markup.
    await expect(db.locator('.msg').textContent()).resolves.toBe(`database unreachable ${XSS}`);
    await expect(page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).resolves.toBeUndefined();
    // Its own script only; the hostile message's <script> and <img> are text.
    await expect(page.locator('script').count()).resolves.toBe(1);
    await expect(page.locator('img').count()).resolves.toBe(0);
    expect(dialogs).toEqual([]);

    // Worst first; every check says where it came from; the transitions list is there.
    await expect(page.locator('li.check .id').allTextContents()).resolves.toEqual(['db', 'queue', 'web']);
    await expect(db.locator('.meta').textContent()).resolves.toMatch(/since .* · source api/);
    await expect(page.locator('ul.recent li').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('header .badge').textContent()).resolves.toContain('Critical');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-page.png'), fullPage: true });
    await page.close();
  });

  it('updates live from /events: a transition shows without a reload', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    // Script errors only: the page and its fetches of `/` are 503 while the host is Critical, on purpose.
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(daemon.url);
    await page.waitForFunction(
      () => (globalThis as unknown as Dom).document.querySelector('#live')?.textContent === 'updates live',
    );
    // A mark in the page's JavaScript state: a reload would wipe it.
    await page.evaluate(() => ((globalThis as unknown as { mark: string }).mark = 'same page'));
    const queue = page.locator('li.check[data-id="queue"]');
    await expect(queue.locator('.badge').textContent()).resolves.toContain('Warning');

    warn.status('OK', 'queue drained');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as Dom).document
          .querySelector('li.check[data-id="queue"] .badge')
          ?.textContent?.includes('OK'),
      undefined,
      { timeout: 10_000 },
    );
    await expect(queue.locator('.msg').textContent()).resolves.toBe('queue drained');
    await expect(page.locator('ul.recent li').first().locator('.who').textContent()).resolves.toBe('queue');
    await expect(page.evaluate(() => (globalThis as unknown as { mark?: string }).mark)).resolves.toBe('same page');
    expect(errors).toEqual([]);
    await page.close();
  });
});
