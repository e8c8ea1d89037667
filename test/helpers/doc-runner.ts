import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  rmSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './app.js';
import { CLI, NODE_FLAGS, spawnDaemon, type RunningDaemon } from './daemon.js';
import { matches, normalise, normaliseEnds, startsWith } from './doc-output.js';
import { readSteps, type Block, type Step } from './doc-blocks.js';
import { freePort } from './procs.js';
import type { Config } from '../../src/config/schema.js';
import { resolveTlsPaths, type TlsSources } from '../../src/tls/materials.js';
import { sleep } from './wait.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The daemon's port in the docs; 18002-18099 are the other services an example starts (demo, agent…). */
export const DOC_DAEMON_PORT = 18001;
/** The page's folder, in outputs: where a reader's checkout might be. */
export const SHOWN_DIR = '/home/you/megaphone';
const DOC_PORT = /\b180(?:0[1-9]|[1-9]\d)\b/g;

/** How long a command may run, and how long a command that changes nothing is retried until its output matches. */
const COMMAND_TIMEOUT_MS = 20_000;
const RETRY_FOR_MS = 10_000;

// A command that writes (POST/PUT/DELETE, files, processes) runs once; one that only reads is retried,
// since what it shows may wait for the next poll, as a reader who runs it again would see.
const WRITES = new RegExp(
  [
    String.raw`\s-X\s*(?:POST|PUT|DELETE|PATCH)\b`,
    String.raw`\s(?:-d|--data[\w-]*|-T)[\s=]`,
    String.raw`\bchecks\s+(?:add|rm|remove|silence|unsilence)\b`,
    String.raw`\bmaintenance\s+(?:on|off)\b`,
    String.raw`\b(?:kill|rm|mv|cp|tee|sed)\b`,
    '>',
  ].join('|'),
);

export const onlyReads = (command: string): boolean => !WRITES.test(command);

export interface StepOutcome {
  ok: boolean;
  /** Normalised, ports shown as in the docs. */
  expected: string[];
  actual: string[];
  /** The real output, ports shown as in the docs, not normalised (what `doc-update.ts` writes). */
  raw: string[];
  code: number | null;
}

/** Runs `bash -c` in its own process group; the group is killed on timeout. */
function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve) => {
    const proc = spawn('bash', ['-c', `exec 2>&1\n${command}`], {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      out += `\n[killed after ${COMMAND_TIMEOUT_MS} ms]`;
      killGroup(proc);
    }, COMMAND_TIMEOUT_MS);
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    });
  });
}

/** The program `name` on PATH, by its full path (the shims stand before it). */
function which(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  throw new Error(`${name} is not on PATH`);
}

const docPorts = (text: string): number[] => [...new Set([...text.matchAll(DOC_PORT)].map((m) => Number(m[0])))];

/** True when something listens on 127.0.0.1:port. */
const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const rawLines = (out: string): string[] => normaliseEnds(out);

/** SIGTERM to a background command's group, and wait for it. */
function stopGroup(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  killGroup(proc);
  return gone;
}

function killGroup(proc: ChildProcess): void {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/**
 * One page's examples as a reader runs them: in a folder that looks like a checkout (the bundled
 * megaphone.conf.json, deploy/, systemd/), `megaphone` and `npx megaphone` running the built
 * dist/cli.js, a daemon started as `npm start` would (on a free port, shown as 18001), and the other
 * ports of the examples (18002…) mapped to free ones.
 */
export class DocSession {
  readonly dir = tempDir('megaphone-doc-');
  private readonly daemonDir = tempDir('megaphone-doc-daemon-');
  private readonly bin = path.join(this.dir, '.bin');
  private readonly ports = new Map<number, number>();
  private readonly background: ChildProcess[] = [];
  private daemon: RunningDaemon | undefined;

  constructor() {
    copyFileSync(path.join(REPO, 'megaphone.conf.json'), path.join(this.dir, 'megaphone.conf.json'));
    for (const d of ['deploy', 'systemd']) symlinkSync(path.join(REPO, d), path.join(this.dir, d));
    mkdirSync(this.bin);
    const npx = which('npx');
    this.shim('megaphone', `exec "${process.execPath}" ${NODE_FLAGS.join(' ')} "${CLI}" "$@"`);
    // From a checkout `npx megaphone` runs the checkout's bin; anything else goes to the real npx.
    this.shim('npx', `if [ "$1" = megaphone ]; then shift; exec megaphone "$@"; fi\nexec ${npx} "$@"`);
  }

  private shim(name: string, body: string): void {
    const file = path.join(this.bin, name);
    writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(file, 0o755);
  }

  /** Writes a block to `name` (ports mapped); the daemon's config restarts the daemon. */
  async writeFile(name: string, body: string): Promise<void> {
    writeFileSync(path.join(this.dir, name), await this.mapPorts(body));
    if (name === 'megaphone.conf.json' && this.daemon) await this.restartDaemon();
  }

  /** Runs one step; a command that only reads is retried until its output matches or time is up. */
  async run(step: Step): Promise<StepOutcome> {
    if (!this.daemon) await this.restartDaemon();
    const command = await this.mapPorts(step.command);
    const expected = normalise(step.expected.join('\n'));
    if (step.background) return this.startBackground(command, docPorts(step.command), expected);
    const deadline = Date.now() + (onlyReads(step.command) ? RETRY_FOR_MS : 0);
    for (;;) {
      const { out, code } = await sh(command, this.dir, this.env());
      const actual = normalise(this.unmapPorts(out));
      const ok = matches(expected, actual);
      if (ok || Date.now() >= deadline) return { ok, expected, actual, raw: rawLines(this.unmapPorts(out)), code };
      await sleep(250);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.background.map(stopGroup));
    await this.daemon?.stop();
    for (const d of [this.dir, this.daemonDir]) rmSync(d, { recursive: true, force: true });
  }

  /**
   * Starts a command that keeps running. The runner waits until it printed the output shown, or,
   * when none is shown, until every port the command names accepts connections.
   */
  private async startBackground(command: string, shownPorts: number[], expected: string[]): Promise<StepOutcome> {
    // One simple command: bash execs it, so the process is the program itself (as discovery sees it).
    const proc = spawn('bash', ['-c', command], {
      cwd: this.dir,
      env: this.env(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.background.push(proc);
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const ports = shownPorts.map((p) => this.ports.get(p) as number);
    const deadline = Date.now() + COMMAND_TIMEOUT_MS;
    for (;;) {
      const actual = normalise(this.unmapPorts(out));
      const ok =
        expected.length > 0
          ? startsWith(expected, actual)
          : ports.length > 0 && (await Promise.all(ports.map(accepts))).every(Boolean) && actual.length === 0;
      const gone = proc.exitCode !== null || proc.signalCode !== null;
      if (ok || gone || Date.now() >= deadline)
        return { ok, expected, actual, raw: rawLines(this.unmapPorts(out)), code: proc.exitCode };
      await sleep(50);
    }
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${this.bin}:${process.env.PATH ?? ''}` };
    for (const k of Object.keys(env)) if (k.startsWith('MEGAPHONE_')) delete env[k];
    // The CLI's default daemon is 127.0.0.1:18001; here the page's daemon is on another port.
    if (this.daemon) env.MEGAPHONE_URL = this.daemon.url;
    return env;
  }

  /** (Re)starts the page's daemon with its megaphone.conf.json, as `npm start` does, on a free port. */
  private async restartDaemon(): Promise<void> {
    await this.daemon?.stop();
    const config = JSON.parse(readFileSync(path.join(this.dir, 'megaphone.conf.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    // A token file and TLS files are named from the config's folder: the page's (the daemon's config sits elsewhere).
    const auth = config.auth as { tokenFile?: string } | undefined;
    if (auth?.tokenFile !== undefined) auth.tokenFile = path.resolve(this.dir, auth.tokenFile);
    const { tls, checks, discovery } = config as Partial<Config>;
    const named = { tls: { cas: tls?.cas ?? {} }, checks: checks ?? [], discovery: { rules: discovery?.rules ?? [] } };
    resolveTlsPaths(named as TlsSources, this.dir);
    this.daemon = await spawnDaemon(
      { ...config, listen: { host: '127.0.0.1', port: 0 } },
      { dir: this.daemonDir, env: { MEGAPHONE_CONFIG: '', MEGAPHONE_URL: '' } },
    );
    this.ports.set(DOC_DAEMON_PORT, this.daemon.port);
  }

  private async mapPorts(text: string): Promise<string> {
    for (const m of text.matchAll(DOC_PORT)) {
      const doc = Number(m[0]);
      if (!this.ports.has(doc)) this.ports.set(doc, await freePort());
    }
    return text.replace(DOC_PORT, (p) => String(this.ports.get(Number(p))));
  }

  /** The page's folder as the docs show a checkout, and ports as the docs show them. */
  private unmapPorts(text: string): string {
    let t = text.replaceAll(this.dir, SHOWN_DIR);
    for (const [doc, actual] of this.ports) t = t.replace(new RegExp(`\\b${actual}\\b`, 'g'), String(doc));
    return t;
  }
}

/** A console step whose real output differs from the shown one. */
export interface Mismatch {
  where: string;
  command: string;
  expected: string;
  actual: string;
}

/** Runs a page's blocks in order (files written, console steps run) and returns every mismatch. */
export async function runPage(
  blocks: readonly Block[],
  onStep?: (step: Step, outcome: StepOutcome) => void,
): Promise<Mismatch[]> {
  const session = new DocSession();
  const out: Mismatch[] = [];
  try {
    for (const block of blocks) {
      if (block.marker?.kind === 'file') await session.writeFile(block.marker.name, `${block.body.join('\n')}\n`);
      if (block.lang !== 'console' || block.marker?.kind === 'not run') continue;
      for (const step of readSteps(block)) {
        const r = await session.run(step);
        onStep?.(step, r);
        if (r.ok) continue;
        out.push({
          where: `${block.page}:${step.line}`,
          command: step.command,
          expected: r.expected.join('\n'),
          actual: `${r.actual.join('\n')}${r.code ? `\n[exit ${r.code}]` : ''}`,
        });
      }
    }
  } finally {
    await session.close();
  }
  return out;
}
