import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { tempDir } from './helpers/app.js';
import { waitFor } from './helpers/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { readStored } from './helpers/stored.js';

// Spawns the BUILT daemon: `npm test` builds first (or run `npm run build`).

/** Valid ids (src/checks/id.ts) that name a property every plain JavaScript object has. */
const IDS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'];

let hooks: WebhookReceiver;
const running: RunningDaemon[] = [];
beforeAll(async () => {
  hooks = await startWebhookReceiver();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.kill9()));
});
afterAll(async () => {
  await hooks?.close();
});

async function start(dir: string): Promise<RunningDaemon> {
  const d = await spawnDaemon({ dataFile: 'db.json', notify: [{ url: hooks.url, on: ['Critical'] }] }, { dir });
  running.push(d);
  return d;
}

async function call(d: RunningDaemon, method: string, p: string, body?: unknown, accept = 'application/json') {
  const res = await fetch(`${d.url}${p}`, {
    method,
    headers: { accept, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json: json as Record<string, unknown> };
}
const at = (id: string) => `/checks/${encodeURIComponent(id)}`;
const ownKeys = (o: unknown) => Object.keys(o as object).sort();
const sorted = [...IDS].sort();

async function stopped(d: RunningDaemon, how: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (how === 'SIGTERM') expect(await d.stop()).toBe(0);
  else await d.kill9();
  running.splice(running.indexOf(d), 1);
}

/** What a restarted daemon must show for every id: listed, its push report, its silence and its history. */
async function expectKept(d: RunningDaemon, status: string, silenced: boolean): Promise<void> {
  expect(ownKeys((await call(d, 'GET', '/checks')).json)).toEqual(sorted);
  for (const id of IDS) {
    const state = (await call(d, 'GET', `${at(id)}/state`)).json;
    expect(state, id).toMatchObject({ id, status, kind: 'push' });
    const silence = (await call(d, 'GET', `${at(id)}/silence`)).json;
    expect(silence.check, id).toBe(id);
    expect(silence.silenced === null, id).toBe(!silenced);
    const history = (await call(d, 'GET', `${at(id)}/history`)).json as { history: { to: string }[] };
    expect(
      history.history.map((e) => e.to),
      id,
    ).toContain('Critical');
  }
}

describe('ids that name Object.prototype properties, on the built daemon', () => {
  it(
    'are listed, read, pushed to, silenced, exported, notified, kept across restarts (SIGTERM and kill -9) ' +
      'and deleted',
    async () => {
      const dir = tempDir('megaphone-proto-');
      const d = await start(dir);
      for (const id of IDS) {
        const res = await call(d, 'POST', '/checks', { id, ttl: '1h' });
        expect(res.status, `${id}: ${res.text}`).toBe(201);
        expect(res.json.id).toBe(id);
      }
      expect(ownKeys((await call(d, 'GET', '/checks')).json)).toEqual(sorted);
      const verbose = (await call(d, 'GET', '/checks?verbose=1')).json;
      expect(ownKeys(verbose)).toEqual(sorted);
      for (const id of IDS) expect(verbose[id], id).toMatchObject({ id, status: 'Unknown' });

      for (const id of IDS) {
        const res = await call(d, 'PUT', `${at(id)}/status`, { status: 'Critical', message: `${id} is down` });
        expect(res.status, `${id}: ${res.text}`).toBe(200);
        expect((await call(d, 'GET', at(id))).json, id).toEqual({ status: 'Critical', message: `${id} is down` });
        expect((await call(d, 'GET', `${at(id)}/state`)).json, id).toMatchObject({ id, status: 'Critical' });
      }
      const history = (await call(d, 'GET', '/history')).json as { history: { message: string }[] };
      expect(history.history[0]?.message).toContain('__proto__:Critical:__proto__ is down');

      // Every reader shows every id: /metrics labels, health+json, the status page, webhook events.
      const metrics = (await call(d, 'GET', '/metrics', undefined, 'text/plain')).text;
      for (const id of IDS) expect(metrics, id).toContain(`megaphone_check_status{check="${id}",source="api"} 3`);
      const health = (await call(d, 'GET', '/', undefined, 'application/health+json')).json;
      const checks = health.checks as Record<string, { componentId: string; status: string }[]>;
      expect(ownKeys(checks)).toEqual(sorted.map((id) => `${id}:status`).sort());
      for (const id of IDS) expect(checks[`${id}:status`]?.[0], id).toMatchObject({ componentId: id, status: 'fail' });
      const page = (await call(d, 'GET', '/', undefined, 'text/html')).text;
      for (const id of IDS) expect(page, id).toContain(`<strong class="id">${id}</strong>`);
      await waitFor(() => IDS.every((id) => hooks.received.some((r) => r.body.check === id)), 10_000);
      for (const id of IDS) {
        const event = hooks.received.find((r) => r.body.check === id);
        expect(event?.body, id).toMatchObject({ check: id, to: 'Critical', lifecycle: 'created' });
      }

      for (const id of IDS) {
        const res = await call(d, 'PUT', `${at(id)}/silence`, { reason: `quiet ${id}`, ttl: '1h' });
        expect(res.status, `${id}: ${res.text}`).toBe(201);
        expect((await call(d, 'GET', `${at(id)}/silence`)).json, id).toMatchObject({
          check: id,
          silenced: { reason: `quiet ${id}` },
        });
      }

      // A clean stop folds the journal into the data file: a restart reads them from the snapshot.
      await stopped(d, 'SIGTERM');
      const snapshot = readStored(path.join(dir, 'db.json'));
      expect([...snapshot.checks.keys()].sort()).toEqual(sorted);
      const second = await start(dir);
      await expectKept(second, 'Critical', true);

      // Writes after the snapshot live only in the journal: kill -9, then a restart replays them.
      for (const id of IDS) {
        expect((await call(second, 'DELETE', `${at(id)}/silence`)).status, id).toBe(204);
        expect((await call(second, 'PUT', `${at(id)}/status`, { status: 'OK' })).status, id).toBe(200);
      }
      await stopped(second, 'SIGKILL');
      const third = await start(dir);
      await expectKept(third, 'OK', false);

      for (const id of IDS) expect((await call(third, 'DELETE', at(id))).status, id).toBe(204);
      expect((await call(third, 'GET', '/checks')).json).toEqual({});
      await stopped(third, 'SIGKILL');
      const fourth = await start(dir);
      expect((await call(fourth, 'GET', '/checks')).json).toEqual({});
    },
  );

  it('a request body with a "__proto__" key is refused with 400; other prototype names are kept as keys', async () => {
    const dir = tempDir('megaphone-proto-');
    const d = await start(dir);
    // Written as text: a JavaScript object literal would turn "__proto__" into a prototype, not a key.
    const post = (headers: string) =>
      fetch(`${d.url}/checks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"id":"hdr","url":{"addr":"http://127.0.0.1:9/health","headers":{${headers}}}}`,
      });
    const refused = await post('"__proto__":"p","x-plain":"x"');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'E_BAD_JSON', error: expect.stringMatching(/prototype/) });
    expect((await post('"constructor":"c","toString":"t","x-plain":"x"')).status).toBe(201);
    const shown = (await call(d, 'GET', '/checks')).json.hdr as { headers: Record<string, string> };
    const expected = [
      ['constructor', 'c'],
      ['toString', 't'],
      ['x-plain', 'x'],
    ];
    expect(Object.entries(shown.headers).sort()).toEqual(expected);
    await stopped(d, 'SIGTERM');
    const again = await start(dir);
    const kept = (await call(again, 'GET', '/checks')).json.hdr as { headers: Record<string, string> };
    expect(Object.entries(kept.headers).sort()).toEqual(expected);
  });

  it('dependencies on them block and are named, like any other id', async () => {
    const d = await start(tempDir('megaphone-proto-'));
    for (const id of IDS) expect((await call(d, 'POST', '/checks', { id, ttl: '1h' })).status, id).toBe(201);
    expect((await call(d, 'POST', '/checks', { id: 'app', ttl: '1h', dependsOn: IDS })).status).toBe(201);
    for (const id of [...IDS, 'app']) await call(d, 'PUT', `${at(id)}/status`, { status: 'Critical' });
    const state = (await call(d, 'GET', '/checks/app/state')).json;
    expect(state).toMatchObject({ status: 'Critical', dependsOn: IDS, blockedBy: IDS });
    const message = ((await call(d, 'GET', '/')).json as { message: string }).message;
    expect(message).toContain('__proto__:Critical');
    expect(message).toMatch(/\(blocks 1\)/);
  });

  it('discovery makes checks of processes with those names, and removes them when they end', async () => {
    const dir = tempDir('megaphone-proto-');
    // Copies of sleep named like the ids: the process name is the executable's basename.
    const procs: ChildProcess[] = IDS.map((id) => {
      const exe = path.join(dir, id);
      copyFileSync('/bin/sleep', exe);
      return spawn(exe, ['600'], { stdio: 'ignore' });
    });
    try {
      const rule = {
        match: { name: `/^(${IDS.join('|')})$/`, cmd: `^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/` },
        id: '{name}',
        url: 'tcp://127.0.0.1:{port}',
        whenMissing: 'remove',
      };
      const d = await spawnDaemon({ dataFile: 'db.json', discovery: { interval: '200ms', rules: [rule] } }, { dir });
      running.push(d);
      await waitFor(async () => ownKeys((await call(d, 'GET', '/checks')).json).length === IDS.length, 15_000);
      expect(ownKeys((await call(d, 'GET', '/checks')).json)).toEqual(sorted);
      for (const id of IDS)
        expect((await call(d, 'GET', `${at(id)}/state`)).json, id).toMatchObject({ id, source: 'discovery' });
      const view = (await call(d, 'GET', '/discovery')).json as { rules: { checks: { id: string }[] }[] };
      expect(view.rules[0]?.checks.map((c) => c.id).sort()).toEqual(sorted);
      for (const p of procs) p.kill('SIGKILL');
      await waitFor(async () => ownKeys((await call(d, 'GET', '/checks')).json).length === 0, 15_000);
    } finally {
      for (const p of procs) p.kill('SIGKILL');
    }
  });
});
