import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFdinfo } from '../src/discovery/fdinfo.js';
import { tempDir } from './helpers/app.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { waitFor } from './helpers/wait.js';

// Two users that exist nowhere but in these processes' credentials: a service and megaphone.
const SERVICE = 61001;
const MEGAPHONE = 61002;
const MARKER = `megaphone-nonroot-target-${process.pid}`;
const UNIT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../systemd');
const runsAsRoot = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv') && existsSync('/proc/self/fdinfo');

/** setpriv as megaphone's user with these capabilities (ambient, so they survive exec into node). */
function asMegaphone(caps: string[]): string[] {
  const set = caps.map((c) => `+${c}`).join(',');
  const keep = caps.length > 0 ? ['--inh-caps', set, '--ambient-caps', set] : [];
  return ['setpriv', `--reuid=${MEGAPHONE}`, `--regid=${MEGAPHONE}`, '--clear-groups', ...keep];
}

let target: ChildProcess | undefined;
let targetPort = 0;

beforeAll(async () => {
  if (!runsAsRoot) return;
  // A real TCP service of another user, on a port megaphone is not told.
  const script =
    'const s=require("net").createServer(c=>c.end()).listen(0,"127.0.0.1",()=>console.log(s.address().port))';
  target = spawn(
    'setpriv',
    [`--reuid=${SERVICE}`, `--regid=${SERVICE}`, '--clear-groups', process.execPath, '-e', script, MARKER],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  target.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  targetPort = Number(await waitFor(() => /^(\d+)\n/.exec(out)?.[1], 10_000));
});

afterAll(() => {
  target?.kill('SIGTERM');
});

const daemons: RunningDaemon[] = [];
afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop()));
});

/** megaphone as its own non-root user, discovering the target by its command line. */
async function discover(wrap: string[]): Promise<{ status: string; message: string; url: unknown }> {
  const dir = tempDir('megaphone-nonroot-');
  chownSync(dir, MEGAPHONE, MEGAPHONE);
  const rule = { match: { cmd: MARKER }, id: 'svc', url: 'tcp://127.0.0.1:{port}', interval: '1s' };
  const daemon = await spawnDaemon(
    { discovery: { interval: '1s', rules: [rule] } },
    { dir, wrap, args: ['--data-file', path.join(dir, 'db.json')] },
  );
  daemons.push(daemon);
  const state = await waitFor(async () => {
    const s = (await (await fetch(`${daemon.url}/checks/svc/state`)).json()) as { status: string; message: string };
    return s.status === 'Unknown' && s.message === 'not checked yet' ? undefined : s;
  }, 15_000);
  const discovery = (await (await fetch(`${daemon.url}/discovery`)).json()) as {
    rules: { checks: { id: string; url: unknown }[] }[];
  };
  return { ...state, url: discovery.rules[0]?.checks.find((c) => c.id === 'svc')?.url };
}

describe.skipIf(!runsAsRoot)('{port} discovery of another user as a non-root megaphone (setpriv)', () => {
  it('without capabilities: waits, and the message names CAP_SYS_PTRACE and the drop-in', async () => {
    const state = await discover(asMegaphone([]));
    expect(state.status).toBe('Unknown');
    expect(state.message).toMatch(
      new RegExp(
        String.raw`^waiting for a listening port \(cannot read /proc/\d+/fd \(EACCES\): another user's ports need ` +
          String.raw`CAP_SYS_PTRACE: the drop-in /etc/systemd/system/megaphone\.service\.d/discovery\.conf grants it`,
      ),
    );
  });

  it('CAP_DAC_READ_SEARCH alone is not enough: the links in /proc/PID/fd need ptrace access', async () => {
    const state = await discover(asMegaphone(['dac_read_search']));
    expect(state.status).toBe('Unknown');
    expect(state.message).toContain('need CAP_SYS_PTRACE');
  });

  it('CAP_SYS_PTRACE alone (as the drop-in grants): the port is found and the service is checked', async () => {
    const state = await discover(asMegaphone(['sys_ptrace']));
    expect(state).toMatchObject({ status: 'OK', url: `tcp://127.0.0.1:${targetPort}` });
  });

  it('CAP_SYS_PTRACE inside a user namespace (systemd PrivateUsers=yes) is not: the message says so', async () => {
    const state = await discover([...asMegaphone(['sys_ptrace']), 'unshare', '--user', '--map-current-user']);
    expect(state.status).toBe('Unknown');
    expect(state.message).toContain('megaphone runs in a user namespace (systemd PrivateUsers=yes)');
    expect(state.message).toContain('discovery.conf sets PrivateUsers=no and CAP_SYS_PTRACE');
  });

  it('the drop-in grants exactly that capability and turns PrivateUsers off', () => {
    const dropIn = readFileSync(path.join(UNIT_DIR, 'discovery.conf'), 'utf8');
    const directives = [...dropIn.matchAll(/^(\w+)=(.*)$/gm)].map((m) => `${m[1]}=${m[2]}`);
    expect(directives.sort()).toEqual([
      'AmbientCapabilities=CAP_SYS_PTRACE',
      'CapabilityBoundingSet=CAP_SYS_PTRACE',
      'PrivateUsers=no',
    ]);
  });
});

describe('reading /proc/PID/fdinfo', () => {
  it('takes the mount id and inode of an entry (a socket is one on sockfs), and nothing from a partial one', () => {
    expect(parseFdinfo('pos:\t0\nflags:\t02000002\nmnt_id:\t8\nino:\t48676\n')).toEqual({
      mountId: '8',
      inode: '48676',
    });
    // Kernels before 5.14 print no ino: such a process's ports cannot come from fdinfo.
    expect(parseFdinfo('pos:\t0\nflags:\t02000002\nmnt_id:\t8\n')).toBeUndefined();
  });
});
