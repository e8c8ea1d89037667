import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { Status } from '../src/status.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { storedChecks } from './helpers/stored.js';
import { waitFor } from './helpers/wait.js';

let t: TestApp;
let svc: FakeService;
beforeAll(async () => {
  t = await makeTestApp({ defaults: { interval: '200ms', timeout: '150ms' } });
  svc = await startFakeService();
});
afterAll(async () => {
  await t.close();
  await svc.close();
});

let n = 0;
/** Registers a check reading `body` with `url` fields, and waits for its first result. */
async function judged(body: unknown, url: Record<string, unknown>, code = 200) {
  const id = `n${++n}`;
  svc.reply({ code, body });
  await t.request
    .post('/checks')
    .send({ id, url: { addr: svc.url, ...url } })
    .expect(201);
  const s = await waitFor(async () => {
    const state = (await t.request.get(`/checks/${id}/state`)).body as { status: Status; message: string };
    return state.message === 'waiting for the first poll' ? undefined : state;
  }, 10_000);
  await t.request.delete(`/checks/${id}`).expect(204);
  return s;
}

// One body per case (the fake service answers every check the same), each range form on each side of it.
const CASES: Array<[value: unknown, thresholds: Record<string, string>, status: Status, message: string]> = [
  [5, { warning: '10' }, 'OK', 'queue/depth is 5'],
  [11, { warning: '10' }, 'Warning', 'queue/depth is 11: outside 0..10 (warning range 10)'],
  [-1, { warning: '10' }, 'Warning', 'queue/depth is -1: outside 0..10 (warning range 10)'],
  [9, { critical: '10:' }, 'Critical', 'queue/depth is 9: below 10 (critical range 10:)'],
  [10, { critical: '10:' }, 'OK', 'queue/depth is 10'],
  [10.5, { warning: '~:10' }, 'Warning', 'queue/depth is 10.5: above 10 (warning range ~:10)'],
  [-1e6, { warning: '~:10' }, 'OK', 'queue/depth is -1000000'],
  [25, { critical: '10:20' }, 'Critical', 'queue/depth is 25: outside 10..20 (critical range 10:20)'],
  [15, { critical: '10:20' }, 'OK', 'queue/depth is 15'],
  [3, { critical: '@0:5' }, 'Critical', 'queue/depth is 3: inside 0..5 (critical range @0:5)'],
  [6, { critical: '@0:5' }, 'OK', 'queue/depth is 6'],
  // Critical is looked at first; warning only when critical is quiet.
  [3, { warning: '10:', critical: '@0:5' }, 'Critical', 'queue/depth is 3: inside 0..5 (critical range @0:5)'],
  [7, { warning: '10:', critical: '@0:5' }, 'Warning', 'queue/depth is 7: below 10 (warning range 10:)'],
  [12, { warning: '10:', critical: '@0:5' }, 'OK', 'queue/depth is 12'],
  // Numbers sent as strings count; anything else is not a number.
  ['12.5', { warning: '~:10' }, 'Warning', 'queue/depth is 12.5: above 10 (warning range ~:10)'],
  ['lots', { warning: '~:10' }, 'Unknown', 'the value at queue/depth is not a number: "lots"'],
  [true, { warning: '~:10' }, 'Unknown', 'the value at queue/depth is not a number: true'],
  [{ n: 1 }, { warning: '~:10' }, 'Unknown', 'the value at queue/depth is not a number: {"n":1}'],
  ['', { warning: '~:10' }, 'Unknown', 'the value at queue/depth is not a number: ""'],
  [null, { warning: '~:10' }, 'Unknown', 'no value at queue/depth'],
];

describe('url.thresholds: the number at the path judged by Nagios ranges', () => {
  it.each(CASES)('%j with %j is %s: %s', async (value, thresholds, status, message) => {
    const s = await judged({ queue: { depth: value } }, { jsonpath: 'queue/depth', thresholds });
    expect(s).toMatchObject({ status, message });
  });

  it('reads the value at a JSONPath the same way', async () => {
    const body = { checks: [{ name: 'queue', depth: 250 }] };
    const s = await judged(body, { jsonpath: '$.checks[0].depth', thresholds: { critical: '~:100' } });
    expect(s).toMatchObject({
      status: 'Critical',
      message: '$.checks[0].depth is 250: above 100 (critical range ~:100)',
    });
  });

  it('a missing value or a non-number with an error code is judged by the code, as a status word is', async () => {
    const s = await judged({ error: 'down' }, { jsonpath: 'queue/depth', thresholds: { warning: '10' } }, 503);
    expect(s).toMatchObject({ status: 'Critical', message: 'HTTP 503; no value at queue/depth' });
  });

  it('GET /checks shows the thresholds as registered', async () => {
    const url = { addr: svc.url, jsonpath: 'queue/depth', thresholds: { warning: '10:', critical: '@0:5' } };
    await t.request.post('/checks').send({ id: 'shown', url }).expect(201);
    expect((await t.request.get('/checks')).body.shown).toEqual(url);
    await t.request.delete('/checks/shown').expect(204);
  });
});

describe('url.thresholds: bad input is a 400 naming the field and the rule, and nothing is stored', () => {
  it.each([
    [{ jsonpath: 'q', thresholds: { warning: '10:5' } }, /`url\.thresholds\.warning` has its start \(10\) above/],
    [{ jsonpath: 'q', thresholds: { critical: 'lots' } }, /`url\.thresholds\.critical` must be a Nagios range/],
    [{ jsonpath: 'q', thresholds: { critical: ':5' } }, /"10", "10:", "~:10", "10:20", "@10:20", got ":5"/],
    [{ jsonpath: 'q', thresholds: {} }, /`url\.thresholds` needs `warning` or `critical`/],
    [{ jsonpath: 'q', thresholds: { warn: '10' } }, /unknown key `url\.thresholds\.warn`/],
    [{ thresholds: { warning: '10' } }, /`url\.thresholds` needs `url\.jsonpath`: where the number is/],
    [{ jsonpath: 'q', format: 'http', thresholds: { warning: '10' } }, /`url\.jsonpath` applies only to format "json"/],
  ])('%j', async (fields, why) => {
    const res = await t.request.post('/checks').send({ id: 'bad', url: { addr: svc.url, ...fields } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'E_VALIDATION', error: expect.stringMatching(why) });
    expect((await t.request.get('/checks')).body).toEqual({});
    expect(storedChecks(t.dataFile)).toEqual({});
  });

  it('refused on a tcp:// check, and a malformed range stops a config file naming the check', async () => {
    const res = await t.request
      .post('/checks')
      .send({ id: 'bad', url: { addr: 'tcp://127.0.0.1:1', thresholds: { warning: '10' } } });
    expect(res.body.error).toBe('`url.thresholds` does not apply to a tcp:// check');
    const config = { checks: [{ id: 'q', url: { addr: svc.url, jsonpath: 'q', thresholds: { warning: '@' } } }] };
    expect(() => parseConfig(config)).toThrow(/`checks\[0\]\.url\.thresholds\.warning` must be a Nagios range/);
  });
});
