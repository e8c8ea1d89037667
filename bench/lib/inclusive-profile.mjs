// Prints the functions with the most inclusive time (self + callees) in a .cpuprofile, to see
// which part of megaphone a flat profile's time belongs to.
// Usage: node bench/lib/inclusive-profile.mjs FILE.cpuprofile [N] [FROM_S] [TO_S] [FILTER]
// (FILTER: only functions whose file matches, e.g. "dist/" for megaphone's own code.)
import { readFileSync } from 'node:fs';

const [file, n = '40', from = '0', to = 'Infinity', filter = ''] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const keyOf = (node) => {
  const f = node.callFrame;
  const where = f.url
    ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|src)\//, '$1/')}:${f.lineNumber + 1}`
    : '';
  return `${f.functionName || '(anonymous)'} ${where}`;
};
const totals = new Map();
let busy = 0;
let at = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  if (at < Number(from) * 1e6 || at > Number(to) * 1e6) continue;
  const leaf = byId.get(profile.samples[i]);
  if (leaf.callFrame.functionName === '(idle)') continue;
  busy += dt;
  const seen = new Set();
  for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
    const key = keyOf(byId.get(id));
    if (seen.has(key)) continue;
    seen.add(key);
    totals.set(key, (totals.get(key) ?? 0) + dt);
  }
}
console.log(`busy ${(busy / 1000).toFixed(0)} ms sampled`);
const rows = [...totals].filter(([k]) => k.includes(filter)).sort((a, b) => b[1] - a[1]);
for (const [key, us] of rows.slice(0, Number(n))) {
  console.log(`${((us / busy) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
}
