import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { HistoryStore, MAX_HISTORY_KEYS } from '../src/history/store.js';
import { fileStorage, logFileFor } from '../src/storage/file.js';
import { makeOpsApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { tempDir } from './helpers/app.js';
import { waitFor } from './helpers/wait.js';

const silent = pino({ level: 'silent' });
// A history log in a fresh folder, and its file.
function historyLog() {
  const dataFile = path.join(tempDir(), 'megaphone.db.json');
  return { log: fileStorage(dataFile).log('history'), file: logFileFor(dataFile, 'history') };
}
const DAY = 86_400_000;
let t: TestApp | undefined;
let svc: FakeService | undefined;
let daemon: RunningDaemon | undefined;
afterEach(async () => {
  await t?.close();
  await svc?.close();
  await daemon?.stop();
  t = svc = daemon = undefined;
});

type Entry = { check: string | null; from: string; to: string; message: string; at: string };

describe('history over HTTP', () => {
  it('records each transition of a check and of the host, newest first', async () => {
    svc = await startFakeService();
    t = await makeOpsApp();
    await t.request.post('/checks').send({ id: 'db', url: svc.url }).expect(201);
    await waitFor(() => t?.table.get('db')?.status === 'OK', 10_000);
    svc.status('Critical', 'db <down>');
    await waitFor(() => t?.table.get('db')?.status === 'Critical', 10_000);

    const check = (await t.request.get('/checks/db/history').expect(200)).body as { check: string; history: Entry[] };
    expect(check.check).toBe('db');
    // Newest first: the OK → Critical just caused, after the first OK (a slow first poll may add one more).
    expect(check.history.map((e) => [e.from, e.to])[0]).toEqual(['OK', 'Critical']);
    expect(check.history.at(-1)?.from).toBe('Unknown');
    expect(check.history[0]).toMatchObject({ check: 'db', message: 'db <down>' });
    expect(new Date(check.history[0]?.at as string).toISOString()).toBe(check.history[0]?.at);

    const host = (await t.request.get('/history').expect(200)).body as { history: Entry[] };
    expect(host.history.map((e) => [e.check, e.from, e.to])[0]).toEqual([null, 'OK', 'Critical']);
    expect(host.history.every((e) => e.check === null)).toBe(true);
    expect(host.history[0]?.message).toBe('db:Critical:db <down>');
    expect((await t.request.get('/history?limit=1').expect(200)).body.history).toHaveLength(1);
  });

  it.each(['0', '-1', 'ten', '1001', '1.5'])('?limit=%s is a 400 naming limit', async (limit) => {
    t = await makeOpsApp();
    const res = await t.request.get(`/history?limit=${limit}`).expect(400);
    expect(res.body).toEqual({ error: expect.stringContaining('`limit`'), code: 'E_VALIDATION' });
  });

  it('an unknown check is a 404', async () => {
    t = await makeOpsApp();
    expect((await t.request.get('/checks/nope/history').expect(404)).body.code).toBe('E_CHECK_NOT_FOUND');
  });
});

describe('HistoryStore bounds and durability', () => {
  const tr = (check: string | null, i: number, at: number) =>
    ({ check, from: i % 2 ? 'OK' : 'Critical', to: i % 2 ? 'Critical' : 'OK', message: `m${i}`, at }) as const;

  it('keeps at most perCheck transitions per check, newest', async () => {
    const { log } = historyLog();
    const h = await HistoryStore.open(log, { retention: 7 * DAY, perCheck: 3 }, { logger: silent, now: Date.now });
    const now = Date.now();
    for (let i = 0; i < 10; i++) h.record(tr('a', i, now - 10 + i));
    h.record(tr(null, 0, now));
    expect(h.forCheck('a', 100).map((e) => e.message)).toEqual(['m9', 'm8', 'm7']);
    expect(h.host(100)).toHaveLength(1);
    await h.close();
    // The bound holds after a restart too.
    const again = await HistoryStore.open(log, { retention: 7 * DAY, perCheck: 3 }, { logger: silent, now: Date.now });
    expect(again.forCheck('a', 100).map((e) => e.message)).toEqual(['m9', 'm8', 'm7']);
    await again.close();
  });

  it('purges what is older than the retention, at open and on purge', async () => {
    const { log, file } = historyLog();
    let now = 100 * DAY;
    const h = await HistoryStore.open(log, { retention: 7 * DAY, perCheck: 100 }, { logger: silent, now: () => now });
    h.record(tr('a', 0, now - 8 * DAY));
    h.record(tr('a', 1, now - 1 * DAY));
    expect(h.forCheck('a', 100).map((e) => e.message)).toEqual(['m1']);
    now += 7 * DAY;
    await h.purge();
    expect(h.has('a')).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('');
    await h.close();
  });

  it('skips a torn last line (a crash mid-append) and keeps the rest', async () => {
    const { log, file } = historyLog();
    const at = Date.now();
    appendFileSync(file, `${JSON.stringify(tr('a', 1, at))}\n{"check":"a","fr`);
    const h = await HistoryStore.open(log, { retention: 7 * DAY, perCheck: 100 }, { logger: silent, now: Date.now });
    expect(h.forCheck('a', 10).map((e) => e.message)).toEqual(['m1']);
    await h.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});

describe('history across restarts of the daemon', () => {
  it('survives SIGTERM and kill -9 once the batch is on disk', async () => {
    svc = await startFakeService();
    const dir = tempDir('megaphone-history-');
    const config = { defaults: { interval: '500ms', timeout: '500ms' } };
    daemon = await spawnDaemon(config, { dir });
    const post = await fetch(`${daemon.url}/checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'db', url: svc.url }),
    });
    expect(post.status).toBe(201);
    const history = async (d: RunningDaemon) =>
      ((await (await fetch(`${d.url}/checks/db/history`)).json()) as { history: Entry[] }).history;
    await waitFor(async () => (await history(daemon as RunningDaemon)).some((e) => e.to === 'OK'), 10_000);
    svc.status('Warning', 'slow');
    await waitFor(async () => (await history(daemon as RunningDaemon)).some((e) => e.message === 'slow'), 10_000);
    expect(await daemon.stop()).toBe(0);

    daemon = await spawnDaemon(config, { dir });
    // A restarted daemon starts Unknown and may already have added its own first transition.
    const kept = (await history(daemon)).map((e) => `${e.from}>${e.to}:${e.message}`);
    expect(kept).toEqual(expect.arrayContaining(['OK>Warning:slow']));
    expect(kept.some((k) => k.endsWith('>OK:fine'))).toBe(true);

    // kill -9: what reached the journal (batched, fdatasync'd within about a second) is kept.
    const journal = logFileFor(path.join(dir, 'megaphone.db.json'), 'history');
    svc.status('Critical', 'gone');
    await waitFor(() => readFileSync(journal, 'utf8').includes('"gone"'), 10_000);
    await daemon.kill9();
    daemon = await spawnDaemon(config, { dir });
    expect((await history(daemon)).some((e) => e.to === 'Critical' && e.message === 'gone')).toBe(true);
  });
});

describe('HistoryStore under churn', () => {
  it('holds at most MAX_HISTORY_KEYS histories, dropping the stalest', async () => {
    const h = await HistoryStore.open(
      historyLog().log,
      { retention: 7 * DAY, perCheck: 100 },
      { logger: silent, now: Date.now },
    );
    const at = Date.now() - 1000;
    for (let i = 0; i <= MAX_HISTORY_KEYS; i++)
      h.record({ check: `c${i}`, from: 'OK', to: 'Critical', message: '', at: at + i / 1000 });
    expect(h.has('c0')).toBe(false);
    expect(h.has(`c${MAX_HISTORY_KEYS}`)).toBe(true);
    expect(h.stats.entries).toBe(MAX_HISTORY_KEYS);
    await h.close();
  });
});
