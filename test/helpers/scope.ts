import { afterEach } from 'vitest';
import type { TestApp } from './app.js';
import { startFakeService, type FakeReply, type FakeService } from './fake-service.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

/**
 * What a test file starts and must stop after each test: fake services, webhook receivers, the
 * megaphone under test. Call once at the top of the file.
 */
export function testScope() {
  const closers: Array<() => Promise<void>> = [];
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    for (const close of closers.splice(0).reverse()) await close();
  });
  return {
    /** Runs `close` after the test. */
    defer(close: () => Promise<void>): void {
      closers.push(close);
    },
    /** Keeps the megaphone under test, closed after the test. */
    keep(t: TestApp): TestApp {
      app = t;
      return t;
    },
    async service(initial?: FakeReply): Promise<FakeService> {
      const svc = await startFakeService(initial);
      closers.push(() => svc.close());
      return svc;
    },
    async webhook(): Promise<WebhookReceiver> {
      const r = await startWebhookReceiver();
      closers.push(() => r.close());
      return r;
    },
  };
}
