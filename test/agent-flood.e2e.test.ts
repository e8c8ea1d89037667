import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { metric } from './helpers/clients.js';
import { waitFor } from './helpers/wait.js';

// Spawns the BUILT daemon: `npm test` builds first (or run `npm run build`).
let d: RunningDaemon | undefined;
const idle: net.Socket[] = [];
afterEach(async () => {
  for (const s of idle.splice(0)) s.destroy();
  await d?.stop();
  d = undefined;
});

const agentPortOf = (logs: string) =>
  (JSON.parse(logs.split('\n').find((l) => l.includes('"haproxy agent listening"')) as string) as { port: number })
    .port;

/** 200 loopback addresses: 127.0.0.2-101 and 127.0.1.2-101 (Linux routes all of 127/8 to lo). */
const ADDRESSES = Array.from({ length: 200 }, (_, i) => `127.0.${i < 100 ? 0 : 1}.${(i % 100) + 2}`);

/** A connection that sends nothing and never closes its side (even once answered); resolves once connected. */
const silent = (port: number, from: string) =>
  new Promise<net.Socket>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: from, allowHalfOpen: true }, () => resolve(s));
    s.on('error', () => undefined);
    s.resume();
  });

/** What the agent answers one connection that sends `line` first. */
const ask = (port: number, line: string) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' }, () => s.write(line));
    s.setEncoding('latin1');
    s.on('data', (d: string) => (text += d));
    s.on('close', () => resolve(text));
    s.on('error', reject);
  });

describe('the agent port under a flood of idle connections', () => {
  it(
    'a legitimate agent-send "web\\n" is answered while ' + '700 idle connections from 200 addresses are open',
    async () => {
      d = await spawnDaemon({ agent: { port: 0 }, groups: { web: { checks: ['web'] } } });
      const url = d.url;
      for (const [id, status] of [
        ['web', 'Warning'],
        ['db', 'Critical'],
      ] as const) {
        await fetch(`${url}/checks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id, ttl: '1h' }),
        });
        await fetch(`${url}/checks/${id}/status`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ status, message: `${id} is ${status}` }),
        });
      }
      const port = agentPortOf(d.logs());
      idle.push(...(await Promise.all(Array.from({ length: 700 }, (_, i) => silent(port, ADDRESSES[i % 200]!)))));
      // The group's answer, not the host's (db, outside the group, is Critical).
      expect(await ask(port, 'web\n')).toBe('up ready 50%\n');
      // Answered, the idle connections are closed by the daemon although their peers keep them open.
      await waitFor(async () => (await metric(url, 'megaphone_held_connections{kind="agent"}')) === 0, 10_000);
      expect(idle.every((s) => s.readableEnded || s.destroyed)).toBe(true);
    },
  );
});
