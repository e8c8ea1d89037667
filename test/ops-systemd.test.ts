import { afterEach, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { CLI, spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { tempDir } from './helpers/app.js';
import { waitFor } from './helpers/wait.js';

const run = promisify(execFile);
const SYSTEMD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../systemd');
const unitText = readFileSync(path.join(SYSTEMD, 'megaphone.service'), 'utf8');

/**
 * `verify` insists that ExecStart's binary exists. The unit names the packaged CLI
 * (/usr/bin/megaphone), which this machine does not have, so a copy runs the built one instead;
 * `dropIn` goes beside it, where systemd reads drop-ins (megaphone.service.d/).
 */
function unitCopy(dropIn?: string): string {
  const dir = tempDir('megaphone-unit-');
  const file = path.join(dir, 'megaphone.service');
  writeFileSync(file, unitText.replaceAll('/usr/bin/megaphone', `${process.execPath} ${CLI}`));
  if (dropIn) {
    mkdirSync(path.join(dir, 'megaphone.service.d'));
    copyFileSync(path.join(SYSTEMD, dropIn), path.join(dir, 'megaphone.service.d', dropIn));
  }
  return file;
}

const directives = (key: string) => [...unitText.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);

describe('systemd/megaphone.service', () => {
  it('passes systemd-analyze verify', async () => {
    const { stderr } = await run('systemd-analyze', ['verify', unitCopy()]);
    expect(stderr).toBe('');
  });

  it('scores at most 2.0 in systemd-analyze security (and passes --threshold=25)', async () => {
    const { stdout } = await run('systemd-analyze', ['security', '--offline=true', '--threshold=25', unitCopy()]);
    const score = Number(/Overall exposure level for megaphone\.service: ([\d.]+)/.exec(stdout)?.[1]);
    expect(score).toBeLessThanOrEqual(2.0);
  });

  it('runs the packaged launcher, /usr/bin/megaphone, which passes the one set of Node flags', () => {
    expect(directives('ExecStartPre')[0]).toMatch(/^\/usr\/bin\/megaphone config check /);
    expect(directives('ExecStart')[0]).toMatch(/^\/usr\/bin\/megaphone serve /);
  });

  it('with the discovery drop-in: still verifies, and holds CAP_SYS_PTRACE outside a user namespace', async () => {
    const unit = unitCopy('discovery.conf');
    expect((await run('systemd-analyze', ['verify', unit])).stderr).toBe('');
    const { stdout } = await run('systemd-analyze', ['security', '--offline=true', unit]);
    expect(stdout).toMatch(/✗ CapabilityBoundingSet=~CAP_SYS_PTRACE /);
    expect(stdout).toMatch(/✗ PrivateUsers= /);
    expect(stdout).toMatch(/✓ CapabilityBoundingSet=~CAP_SYS_ADMIN /);
    const score = Number(/Overall exposure level for megaphone\.service: ([\d.]+)/.exec(stdout)?.[1]);
    expect(score).toBeLessThanOrEqual(2.0);
  });

  it('is a notify service with watchdog, restart, state dir, config check and HUP reload', () => {
    expect(directives('Type')).toEqual(['notify']);
    expect(directives('NotifyAccess')).toEqual(['all']);
    expect(directives('WatchdogSec')).toHaveLength(1);
    expect(directives('Restart')).toEqual(['on-failure']);
    expect(directives('StateDirectory')).toEqual(['megaphone']);
    expect(directives('ExecStartPre')[0]).toMatch(
      /megaphone config check .*--config \/etc\/megaphone\/megaphone\.conf\.json/,
    );
    expect(directives('ExecStart')[0]).toMatch(
      /--config \/etc\/megaphone\/megaphone\.conf\.json --data-file \/var\/lib\/megaphone\//,
    );
    expect(directives('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
  });

  it('leaves out what breaks V8 or process discovery', () => {
    expect(directives('MemoryDenyWriteExecute')).toEqual([]);
    expect(directives('PrivatePIDs')).toEqual([]);
    expect(directives('ProtectProc')).not.toContain('invisible');
    expect(directives('ProcSubset')).not.toContain('pid');
  });
});

describe('systemd readiness and watchdog', () => {
  let listener: ChildProcess | undefined;
  let daemon: RunningDaemon | undefined;
  afterEach(async () => {
    await daemon?.stop();
    listener?.kill('SIGTERM');
    daemon = listener = undefined;
  });

  it('sends READY=1 (with MAINPID) once listening, then WATCHDOG=1 pings', async () => {
    const socket = path.join(tempDir('megaphone-notify-'), 'notify.sock');
    // A plain datagram listener standing in for systemd's notify socket.
    listener = spawn('socat', ['-u', `UNIX-RECV:${socket}`, '-'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = '';
    listener.stdout?.on('data', (d: Buffer) => (got += d.toString()));
    await waitFor(() => existsSync(socket), 10_000);
    daemon = await spawnDaemon({}, { env: { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '400000', WATCHDOG_PID: '' } });
    await waitFor(() => got.includes('READY=1') && got.includes('WATCHDOG=1'), 15_000);
    expect(got).toContain(`MAINPID=${daemon.proc.pid}`);
    expect(daemon.logs()).toContain('systemd watchdog pings started');
  });

  it('without NOTIFY_SOCKET it never starts watchdog pings', async () => {
    daemon = await spawnDaemon({}, { env: { NOTIFY_SOCKET: '', WATCHDOG_USEC: '400000' } });
    const res = await fetch(daemon.url);
    expect(res.status).toBe(200);
    expect(daemon.logs()).not.toContain('watchdog');
  });
});
