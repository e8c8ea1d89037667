import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { chooseLogFormat, createLogger, type LogFormat } from '../src/lib/log.js';
import { ConfigError } from '../src/lib/errors.js';
import { tempDir } from './helpers/app.js';
import { CLI, NODE_FLAGS } from './helpers/daemon.js';
import { freePort, run } from './helpers/procs.js';
import { waitFor } from './helpers/wait.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');

/** `megaphone serve` on a free port with its data in `dir`, as the bin runs it. */
const serveArgs = (dir: string) => [
  ...NODE_FLAGS,
  CLI,
  'serve',
  '--host',
  '127.0.0.1',
  '--port',
  '0',
  '--data-file',
  path.join(dir, 'db.json'),
];

/** A file's "device:inode", as systemd writes JOURNAL_STREAM. */
function devIno(fd: number): string {
  const st = fstatSync(fd, { bigint: true });
  return `${st.dev}:${st.ino}`;
}

/** Logs one record per level through createLogger(format) and returns what it wrote. */
async function written(format: LogFormat): Promise<string> {
  let out = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const log = await createLogger({ format, level: 'trace', destination });
  log.debug({ check: 'db' }, 'debugging');
  log.info({ check: 'db', to: 'OK' }, 'check status changed');
  log.warn({ check: 'db', to: 'Critical' }, 'check status changed');
  log.error({ err: new Error('disk full') }, 'shutdown failed');
  return out;
}

describe('choosing the log format', () => {
  const file = path.join(tempDir('megaphone-log-'), 'out.log');
  const fd = openSync(file, 'w');

  it.each([
    { what: 'a terminal', env: {}, tty: true, format: 'pretty' },
    { what: 'a pipe or a file', env: {}, tty: false, format: 'json' },
    { what: 'the journal stream systemd names', env: { JOURNAL_STREAM: 'self' }, tty: false, format: 'journal' },
    { what: 'an inherited JOURNAL_STREAM', env: { JOURNAL_STREAM: '8:12345' }, tty: false, format: 'json' },
    { what: 'json forced on a terminal', env: { MEGAPHONE_LOG_FORMAT: 'json' }, tty: true, format: 'json' },
    { what: 'pretty forced into a file', env: { MEGAPHONE_LOG_FORMAT: 'pretty' }, tty: false, format: 'pretty' },
    { what: 'journal forced anywhere', env: { MEGAPHONE_LOG_FORMAT: 'journal' }, tty: true, format: 'journal' },
  ])('$what: $format', ({ env, tty, format }) => {
    const e: NodeJS.ProcessEnv = { ...env };
    if (e.JOURNAL_STREAM === 'self') e.JOURNAL_STREAM = devIno(fd);
    expect(chooseLogFormat(e, { fd, isTTY: tty })).toBe(format);
  });

  it('an unknown MEGAPHONE_LOG_FORMAT is refused, naming it and the choices', () => {
    expect(() => chooseLogFormat({ MEGAPHONE_LOG_FORMAT: 'xml' }, { fd, isTTY: false })).toThrow(
      new ConfigError('MEGAPHONE_LOG_FORMAT must be one of json, pretty, journal, got "xml"'),
    );
    closeSync(fd);
  });
});

describe('what each format writes', () => {
  it('json: one JSON object a line, numeric level, ISO time', async () => {
    const lines = (await written('json')).trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as { level: number; time: string; msg: string; name: string });
    expect(records.map((r) => [r.level, r.msg])).toEqual([
      [20, 'debugging'],
      [30, 'check status changed'],
      [40, 'check status changed'],
      [50, 'shutdown failed'],
    ]);
    for (const r of records) expect(r.time).toMatch(ISO);
    expect(records[0]!.name).toBe('megaphone');
  });

  it('journal: each JSON line behind its syslog priority, <7> debug, <6> info, <4> warn, <3> error', async () => {
    const lines = (await written('journal')).trimEnd().split('\n');
    expect(lines.map((l) => l.slice(0, 3))).toEqual(['<7>', '<6>', '<4>', '<3>']);
    const records = lines.map((l) => JSON.parse(l.slice(3)) as { level: number; time: string; check?: string });
    expect(records.map((r) => r.level)).toEqual([20, 30, 40, 50]);
    expect(records[2]).toMatchObject({ check: 'db' });
    expect(records[2]!.time).toMatch(ISO);
  });

  it('pretty: local time, level word, message and fields on one line; an error with its stack', async () => {
    const text = stripAnsi(await written('pretty'));
    expect(text).toMatch(
      /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] WARN: check status changed \{"check":"db","to":"Critical"\}$/m,
    );
    expect(text).toMatch(/\] DEBUG: debugging \{"check":"db"\}$/m);
    expect(text).toMatch(/\] ERROR: shutdown failed\s*\n\s+err: \{[\s\S]*"message": "disk full"[\s\S]*at /);
    expect(text).not.toContain('"level"');
    expect(text).not.toContain('megaphone');
  });
});

describe('the daemon picks its format from where its stdout goes', () => {
  let proc: ChildProcess | undefined;
  afterEach(async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((r) => proc!.once('exit', r));
      process.kill(-proc.pid!, 'SIGTERM');
      await gone;
    }
    proc = undefined;
  });

  it('stdout the journal stream (JOURNAL_STREAM = its device:inode): priority-prefixed JSON lines', async () => {
    const dir = tempDir('megaphone-log-journal-');
    const file = path.join(dir, 'stdout');
    const fd = openSync(file, 'w');
    const env = { ...process.env, JOURNAL_STREAM: devIno(fd), MEGAPHONE_LOG_FORMAT: '' };
    proc = spawn(process.execPath, serveArgs(dir), { cwd: dir, env, stdio: ['ignore', fd, 'inherit'], detached: true });
    closeSync(fd);
    const line = await waitFor(() =>
      readFileSync(file, 'utf8')
        .split('\n')
        .find((l) => l.includes('"listening"')),
    );
    expect(line).toMatch(/^<6>\{"level":30,"time":"[^"]+","name":"megaphone",.*"msg":"listening"\}$/);
  });

  it('stdout a terminal (a real pty, through script(1)): readable lines', async () => {
    const dir = tempDir('megaphone-log-tty-');
    const command = [process.execPath, ...serveArgs(dir)].map((a) => `'${a}'`).join(' ');
    proc = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: dir,
      env: { ...process.env, MEGAPHONE_LOG_FORMAT: '', JOURNAL_STREAM: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => stripAnsi(out).includes('INFO: listening'), 15_000);
    expect(stripAnsi(out)).toMatch(/^\[[\d\- :.]+\] INFO: listening \{"host":"127\.0\.0\.1","port":\d+\}$/m);
    expect(out).not.toContain('"level"');
  });

  it('MEGAPHONE_LOG_FORMAT=xml stops start-up with one line naming it', async () => {
    const dir = tempDir('megaphone-log-bad-');
    const r = await run(process.execPath, serveArgs(dir), { env: { MEGAPHONE_LOG_FORMAT: 'xml' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('megaphone: MEGAPHONE_LOG_FORMAT must be one of json, pretty, journal, got "xml"\n');
  });
});

const JOURNALD = '/lib/systemd/systemd-journald';
const canRunJournald = process.getuid?.() === 0 && existsSync(JOURNALD);

describe.skipIf(!canRunJournald)('a real systemd-journald (root: in a private mount namespace)', () => {
  it('stores the daemon lines at the priority of their prefix, the JSON kept as MESSAGE', async () => {
    const dir = tempDir('megaphone-log-journald-');
    const closed = await freePort();
    const config = JSON.stringify({
      listen: { host: '127.0.0.1', port: 0 },
      checks: [{ id: 'db', url: `tcp://127.0.0.1:${closed}`, interval: '1s' }],
    });
    const serve = [process.execPath, ...serveArgs(dir)].map((a) => `'${a}'`).join(' ');
    // journald's own sockets and files on tmpfs; systemd-cat hands the daemon a journal stream as stdout,
    // and JOURNAL_STREAM names it as systemd would for a service.
    const script = `
      set -e
      for d in /run/systemd /run/log /var/log/journal; do mkdir -p $d; mount -t tmpfs tmpfs $d; done
      mkdir -p /run/systemd/journal
      ${JOURNALD} >/dev/null 2>&1 & jd=$!
      for i in $(seq 400); do [ -S /run/systemd/journal/stdout ] && break; sleep 0.05; done
      echo '${config}' > '${dir}/megaphone.conf.json'
      systemd-cat -t megaphone-test bash -c 'export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/1)
        exec ${serve} --config ${dir}/megaphone.conf.json' & daemon=$!
      # Until the warning is in the journal (a loaded machine starts slowly), at most 40 s.
      for i in $(seq 800); do
        journalctl -t megaphone-test -o cat --no-pager 2>/dev/null | grep -q '"check status changed"' && break
        sleep 0.05
      done
      kill $daemon; wait $daemon || true
      journalctl -o json -t megaphone-test --no-pager
      kill $jd`;
    const r = await run('unshare', ['-m', '--propagation', 'private', 'bash', '-c', script], { timeoutMs: 55_000 });
    const entries = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { PRIORITY: string; MESSAGE: string });
    const byMsg = (msg: string) => entries.find((e) => e.MESSAGE.includes(`"msg":"${msg}"`));
    expect(byMsg('listening')?.PRIORITY).toBe('6');
    expect(byMsg('check status changed')?.PRIORITY).toBe('4');
    expect(JSON.parse(byMsg('check status changed')!.MESSAGE)).toMatchObject({
      level: 40,
      check: 'db',
      to: 'Critical',
    });
  }, 60_000);
});
