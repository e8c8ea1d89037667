// The Node runtime megaphone runs on, defined once: package.json `megaphone.nodeFlags`. The npm bin's shebang
// (written here at build), `npm start` (which runs that bin), the Debian launcher and the tests all take them from it.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// They end up in a shebang and a shell script: plain `--flag` or `--flag=value`, nothing a shell would read.
const FLAG = /^--[a-z0-9-]+(=[A-Za-z0-9._-]+)?$/;

/** The Node flags of package.json `megaphone.nodeFlags` (an array, possibly empty). */
export function nodeFlags(root = ROOT) {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const flags = pkg.megaphone?.nodeFlags;
  if (!Array.isArray(flags)) throw new Error('package.json: `megaphone.nodeFlags` must be an array of Node flags');
  for (const f of flags) {
    if (typeof f !== 'string' || !FLAG.test(f))
      throw new Error(`package.json: \`megaphone.nodeFlags\` holds ${JSON.stringify(f)}, not a --flag or --flag=value`);
  }
  return flags;
}

/** The npm bin's first line: env -S splits the flags (coreutils >= 8.30, BSD and macOS env). */
export function shebang(flags) {
  return flags.length > 0 ? `#!/usr/bin/env -S node ${flags.join(' ')}` : '#!/usr/bin/env node';
}

/** Puts the shebang on `<dist>/cli.js` (replacing any) and makes it executable. */
export function writeBin(dist, root = ROOT) {
  const file = path.join(dist, 'cli.js');
  const text = readFileSync(file, 'utf8').replace(/^#!.*\n/, '');
  writeFileSync(file, `${shebang(nodeFlags(root))}\n${text}`);
  chmodSync(file, 0o755);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  // node scripts/runtime.mjs [DIST] [ROOT]: DIST defaults to ROOT/dist, ROOT (whose package.json) to this checkout.
  const root = path.resolve(process.argv[3] ?? ROOT);
  writeBin(path.resolve(process.argv[2] ?? path.join(root, 'dist')), root);
}
