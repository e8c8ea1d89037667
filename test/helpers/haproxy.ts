import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './app.js';
import { background, freePort, run, type Background } from './procs.js';

/** One row of `show stat`, by column name. */
export type StatRow = Record<string, string>;

export interface RunningHaproxy {
  proc: Background;
  /** `show stat` rows keyed `backend/server`. */
  stat(): Promise<Record<string, StatRow>>;
  command(cmd: string): Promise<string>;
  stop(): Promise<void>;
}

/** Sends one command to haproxy's stats socket and reads the reply to the end. */
export function statsCommand(socketPath: string, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const s = net.connect(socketPath, () => s.write(`${cmd}\n`));
    s.on('data', (d) => (data += d.toString()));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}

export function parseShowStat(csv: string): Record<string, StatRow> {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').replace(/^# /, '').split(',');
  const rows: Record<string, StatRow> = {};
  for (const line of lines) {
    const cells = line.split(',');
    const row = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    rows[`${row.pxname}/${row.svname}`] = row;
  }
  return rows;
}

/** Starts a real haproxy (foreground) with `body` after a global section holding an admin stats socket. */
export async function startHaproxy(body: string): Promise<RunningHaproxy> {
  const dir = tempDir('megaphone-haproxy-');
  const sock = path.join(dir, 'admin.sock');
  const cfg = path.join(dir, 'haproxy.cfg');
  const frontPort = await freePort();
  writeFileSync(
    cfg,
    [
      'global',
      `  stats socket ${sock} mode 600 level admin`,
      '  log stderr format short local0 notice',
      'defaults',
      '  mode http',
      '  log global',
      '  timeout connect 2s',
      '  timeout client 5s',
      '  timeout server 5s',
      '  timeout check 2s',
      'frontend fe',
      `  bind 127.0.0.1:${frontPort}`,
      '  default_backend be_agent',
      body,
      '',
    ].join('\n'),
  );
  const valid = await run('haproxy', ['-c', '-f', cfg]);
  if (valid.code !== 0) throw new Error(`haproxy.cfg invalid:\n${valid.stdout}${valid.stderr}`);
  const proc = background('haproxy', ['-db', '-f', cfg], dir);
  const command = (cmd: string) => statsCommand(sock, cmd);
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await command('show info');
      break;
    } catch (err) {
      if (proc.proc.exitCode !== null || Date.now() > deadline)
        throw new Error(`haproxy did not start: ${String(err)}\n${proc.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    proc,
    command,
    stat: async () => parseShowStat(await command('show stat')),
    stop: () => proc.stop(),
  };
}
