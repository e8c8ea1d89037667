import { afterAll, afterEach, beforeAll } from 'vitest';
import { makeTestApp, type TestApp, type TestAppOptions } from './app.js';
import { createTestCa, type TestCa } from './certs.js';
import { waitFor } from './wait.js';

/** A TLS or gRPC check's state, as the tests read it. */
export interface TlsState {
  kind: string;
  status: string;
  message: string;
  checkedAt: string | null;
  tls?: Record<string, unknown>;
  certificate?: { subject: string; issuer: string; notAfter: string; daysLeft: number };
}

/** The check's state once a poll has given it `status` (and `message`, when given: a string or a pattern). */
export const stateWhen = (app: TestApp, id: string, status: string, message?: string | RegExp) =>
  waitFor(async () => {
    const s = (await app.request.get(`/checks/${id}/state`)).body as TlsState;
    const said =
      message === undefined || (typeof message === 'string' ? s.message === message : message.test(s.message));
    return s.checkedAt !== null && s.status === status && said && s;
  }, 10_000);

/**
 * For a file of TLS and gRPC tests: a test CA made once for the file, and what a test starts (apps polling every
 * 300 ms, servers) closed after it.
 */
export function tlsFixture() {
  let ca: TestCa | undefined;
  const open: Array<{ close(): unknown }> = [];
  beforeAll(() => {
    ca = createTestCa();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((x) => x.close()));
  });
  afterAll(() => ca?.remove());
  const keep = <T extends { close(): unknown }>(x: T): T => (open.push(x), x);
  return {
    get ca(): TestCa {
      return ca as TestCa;
    },
    /** Closed after the test. */
    keep,
    /** A test app (quick polls), closed after the test. */
    app: async (config: object = {}, opts: TestAppOptions = {}) =>
      keep(await makeTestApp({ defaults: { interval: '300ms', timeout: '250ms' }, ...config }, undefined, opts)),
  };
}
