import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers/app.js';
import { CLI, NODE_FLAGS } from './helpers/daemon.js';
import { run } from './helpers/procs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = path.join(ROOT, 'scripts/runtime.mjs');

/** A fake checkout: package.json with these flags and a dist/cli.js, for scripts/runtime.mjs to write. */
function fakeCheckout(flags: unknown): string {
  const root = tempDir('megaphone-runtime-');
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'x', megaphone: { nodeFlags: flags } }));
  mkdirSync(path.join(root, 'dist'));
  writeFileSync(path.join(root, 'dist/cli.js'), '#!/usr/bin/env node\nconsole.log(process.execArgv.join(" "));\n');
  return root;
}

let proc: ChildProcess | undefined;
afterEach(() => {
  proc?.kill('SIGTERM');
  proc = undefined;
});

describe('one runtime: the Node flags of package.json megaphone.nodeFlags', () => {
  it('are non-empty today and are what the built bin shebang passes', () => {
    expect(NODE_FLAGS.length).toBeGreaterThan(0);
    expect(readFileSync(CLI, 'utf8').split('\n', 1)[0]).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
  });

  it('the bin run by its shebang (as npm start and npm install -g run it) logs them at start', async () => {
    const dir = tempDir('megaphone-runtime-run-');
    const args = ['serve', '--host', '127.0.0.1', '--port', '0', '--data-file', path.join(dir, 'db.json')];
    const child = (proc = spawn(CLI, args, { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] }));
    let out = '';
    const starting = await new Promise<{ nodeFlags: string[]; node: string }>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.includes('"starting"'));
        if (line) resolve(JSON.parse(line) as { nodeFlags: string[]; node: string });
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    expect(starting.nodeFlags).toEqual(NODE_FLAGS);
    expect(starting.node).toBe(process.version);
  });

  it('writing the bin replaces its shebang with the flags, or plain node when there are none', async () => {
    for (const [flags, first] of [
      [['--max-old-space-size=96', '--jitless'], '#!/usr/bin/env -S node --max-old-space-size=96 --jitless'],
      [[], '#!/usr/bin/env node'],
    ] as const) {
      const root = fakeCheckout(flags);
      const r = await run(process.execPath, [SCRIPT, path.join(root, 'dist'), root]);
      expect(r.stderr).toBe('');
      const bin = path.join(root, 'dist/cli.js');
      expect(readFileSync(bin, 'utf8').split('\n', 1)[0]).toBe(first);
      expect((await run(bin, [])).stdout.trim()).toBe(flags.join(' '));
    }
  });

  it.each([
    ['a flag a shell would read', ['--max-old-space-size=96; rm -rf /'], /holds "--max-old-space-size=96; rm -rf \/"/],
    ['a word that is not a flag', ['inspect'], /holds "inspect", not a --flag/],
    ['not an array', '--jitless', /must be an array of Node flags/],
  ])('refuses %s, naming it', async (_what, flags, message) => {
    const root = fakeCheckout(flags);
    copyFileSync(path.join(root, 'dist/cli.js'), path.join(root, 'before.js'));
    const r = await run(process.execPath, [SCRIPT, path.join(root, 'dist'), root]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(readFileSync(path.join(root, 'dist/cli.js'), 'utf8')).toBe(
      readFileSync(path.join(root, 'before.js'), 'utf8'),
    );
  });
});
