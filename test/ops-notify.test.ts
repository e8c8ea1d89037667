import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { pino } from 'pino';
import { makeOpsApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { waitFor } from './helpers/wait.js';
import { MAX_QUEUE, WebhookQueue, type NotifyStats } from '../src/integrations/notify/delivery.js';
import { webhookSchema } from '../src/integrations/notify/schema.js';

let t: TestApp | undefined;
let svc: FakeService | undefined;
const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await t?.close();
  await svc?.close();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  t = svc = undefined;
});

async function receiver(...args: Parameters<typeof startWebhookReceiver>): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(...args);
  receivers.push(r);
  return r;
}

async function setup(notify: unknown[]): Promise<TestApp> {
  svc = await startFakeService();
  t = await makeOpsApp({ notify } as never);
  await t.request.post('/checks').send({ id: 'db', url: svc.url }).expect(201);
  await waitFor(() => t?.table.get('db')?.status === 'OK', 10_000);
  return t;
}

const lifecycles = (r: WebhookReceiver) => r.received.map((x) => x.body.lifecycle);

describe('webhook notifications', () => {
  it('a receiver sees created → ongoing → closed, in order, for the check it asked for', async () => {
    const onlyDb = await receiver();
    const everything = await receiver();
    await setup([{ url: onlyDb.url, checks: ['db'], repeat: '1s' }, { url: everything.url }]);
    svc?.status('Critical', 'db is down');
    await waitFor(() => lifecycles(onlyDb).includes('ongoing'), 15_000);
    svc?.status('OK', 'back');
    await waitFor(() => lifecycles(onlyDb).includes('closed'), 15_000);

    const seen = lifecycles(onlyDb);
    expect(seen[0]).toBe('created');
    expect(seen.at(-1)).toBe('closed');
    expect(seen.slice(1, -1).every((l) => l === 'ongoing')).toBe(true);
    expect(onlyDb.received.every((x) => x.body.check === 'db')).toBe(true);
    expect(onlyDb.received[0]?.body).toEqual({
      host: 'test-host',
      check: 'db',
      from: 'OK',
      to: 'Critical',
      message: 'db is down',
      lifecycle: 'created',
      at: expect.any(String),
      since: expect.any(String),
    });
    expect(onlyDb.received[1]?.body).toMatchObject({
      from: 'Critical',
      to: 'Critical',
      message: 'db is down',
      since: onlyDb.received[0]?.body.since,
    });
    expect(onlyDb.received.at(-1)?.body).toMatchObject({ from: 'Critical', to: 'OK', message: 'back' });
    expect(onlyDb.received[0]?.headers['content-type']).toBe('application/json');

    // Without a `checks` filter the host's own problem is reported too (check null).
    await waitFor(() => everything.received.filter((x) => x.body.check === null).length === 2, 10_000);
    expect(everything.received.filter((x) => x.body.check === null).map((x) => x.body.lifecycle)).toEqual([
      'created',
      'closed',
    ]);
  });

  it('an escalation within a problem is an ongoing event; statuses outside `on` are ignored', async () => {
    const r = await receiver();
    await setup([{ url: r.url, checks: ['db'], on: ['critical'] }]);
    svc?.status('Warning', 'meh');
    svc?.status('Critical', 'worse');
    await waitFor(() => r.received.length === 1, 10_000);
    expect(r.received[0]?.body).toMatchObject({ lifecycle: 'created', to: 'Critical' });
    svc?.status('Warning', 'better');
    await waitFor(() => r.received.length === 2, 10_000);
    expect(r.received[1]?.body).toMatchObject({ lifecycle: 'closed', from: 'Critical', to: 'Warning' });
  });

  it('format slack posts {text} with the check, status and lifecycle', async () => {
    const r = await receiver();
    await setup([{ url: r.url, checks: ['db'], format: 'slack' }]);
    svc?.status('Critical', 'db is down');
    await waitFor(() => r.received.length === 1, 10_000);
    expect(r.received[0]?.body).toEqual({
      text: expect.stringMatching(/PROBLEM db on test-host: Critical \(was OK\) db is down/),
    });
  });

  it('deleting a check closes its open problem', async () => {
    const r = await receiver();
    const app = await setup([{ url: r.url, checks: ['db'] }]);
    svc?.status('Critical', 'x');
    await waitFor(() => r.received.length === 1, 10_000);
    await app.request.delete('/checks/db').expect(204);
    await waitFor(() => r.received.length === 2, 10_000);
    expect(r.received[1]?.body).toMatchObject({ lifecycle: 'closed', message: 'check removed' });
  });
});

describe('delivery never blocks and retries', () => {
  it('a receiver that hangs does not hold up GET /, and the event is retried after the attempt times out', async () => {
    const r = await receiver((n) => (n === 1 ? 'hang' : 200));
    const app = await setup([{ url: r.url, checks: ['db'], timeout: '300ms' }]);
    svc?.status('Critical', 'db is down');
    await waitFor(() => r.hanging === 1, 10_000);
    // The webhook is holding its request open right now, and / still answers with the news.
    const res = await app.request.get('/').expect(503);
    expect(res.body.message).toBe('db:Critical:db is down');
    await waitFor(() => r.received.length === 1, 15_000);
    expect(r.received[0]?.body).toMatchObject({ lifecycle: 'created', check: 'db' });
    expect(app.megaphone.notifier.stats).toMatchObject({ delivered: 1, abandoned: 0, pending: 0 });
    expect(app.megaphone.notifier.stats.failedAttempts).toBeGreaterThanOrEqual(1);
  });

  it('a receiver that fails is retried until it answers 2xx', async () => {
    const r = await receiver((n) => (n <= 2 ? 500 : 204));
    const app = await setup([{ url: r.url, checks: ['db'] }]);
    svc?.status('Critical', 'db is down');
    await waitFor(() => r.received.length === 1, 15_000);
    expect(r.requests).toBe(3);
    expect(app.megaphone.notifier.stats).toMatchObject({ delivered: 1, failedAttempts: 2, abandoned: 0 });
    const metrics = (await app.request.get('/metrics').expect(200)).text;
    expect(metrics).toContain('megaphone_notifications_total{outcome="delivered"} 1');
    expect(metrics).toContain('megaphone_notifications_total{outcome="failed_attempt"} 2');
    expect(metrics).toContain('megaphone_notifications_pending 0');
  });

  it(
    'a receiver that is down: GET / still answers, attempts are counted, the event is given up ' + 'after `attempts`',
    async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const app = await setup([{ url: `http://127.0.0.1:${port}/hook`, checks: ['db'], attempts: 2 }]);
      svc?.status('Critical', 'db is down');
      await waitFor(async () => (await app.request.get('/')).status === 503, 10_000);
      await waitFor(() => app.megaphone.notifier.stats.abandoned === 1, 15_000);
      expect(app.megaphone.notifier.stats).toMatchObject({ failedAttempts: 2, delivered: 0, pending: 0 });
    },
  );

  it('the queue per webhook is bounded: beyond it the oldest waiting events are dropped and counted', async () => {
    const r = await receiver(() => 'hang');
    const stats: NotifyStats = { pending: 0, delivered: 0, failedAttempts: 0, abandoned: 0, dropped: 0 };
    const dispatcher = new Agent();
    const queue = new WebhookQueue(webhookSchema.parse({ url: r.url, timeout: '30s' }), {
      dispatcher,
      logger: pino({ level: 'silent' }),
      stats,
    });
    const event = {
      host: 'h',
      check: 'a',
      from: 'OK',
      to: 'Critical',
      message: '',
      at: '',
      since: '',
      lifecycle: 'created',
    } as const;
    for (let i = 0; i < MAX_QUEUE + 5; i++) queue.push(event);
    expect(stats).toMatchObject({ pending: MAX_QUEUE, dropped: 5 });
    queue.close();
    expect(stats.pending).toBe(0);
    await dispatcher.destroy();
  });
});
