// What the production node_modules carry for their own development (tests, benchmarks, docs, source maps, types,
// lint and VCS files), left out of the package; licence files always stay. No module reads these at run time.
import { chmodSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const DEV_DIRS = new Set(['test', 'tests', '__tests__', 'benchmark', 'benchmarks', 'docs', 'example', 'examples']);
const KEEP = /^(licen[cs]e|copying|notice)/i;

function dropped(name, isDir) {
  if (KEEP.test(name)) return false;
  // Dotfiles: .eslintrc, .npmignore, .gitattributes, .github/, npm's .bin/ links and .package-lock.json.
  if (name.startsWith('.')) return true;
  if (isDir) return DEV_DIRS.has(name);
  // Docs, source maps and type declarations (node reads none of them).
  return /\.(md|markdown|html|map)$|\.d\.[cm]?ts$/i.test(name) || /^(tsconfig|eslint)/.test(name);
}

/**
 * Removes development files under `dir` (a node_modules) and the executable bit of what stays: nothing in
 * there is run as a program, node loads it. Returns how many entries were removed.
 */
export function prune(dir) {
  let removed = 0;
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const st = lstatSync(file);
    if (dropped(name, st.isDirectory())) {
      rmSync(file, { recursive: true, force: true });
      removed++;
    } else if (st.isDirectory()) {
      removed += prune(file);
    } else if (st.isFile() && st.mode & 0o111) {
      chmodSync(file, 0o644);
    }
  }
  return removed;
}
