// Prints the functions with the most self time in a .cpuprofile (node --cpu-prof output).
// Usage: node bench/lib/top-profile.mjs FILE.cpuprofile [N] [FROM_S] [TO_S]
// (FROM_S/TO_S: only samples that many seconds after the profile started, e.g. after warm-up.)
import { readFileSync } from 'node:fs';

const [file, n = '25', from = '0', to = 'Infinity'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = profile.timeDeltas;
let at = 0;
for (let i = 0; i < profile.samples.length; i++) {
  at += dt[i] ?? 0;
  if (at < Number(from) * 1e6 || at > Number(to) * 1e6) continue;
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const totals = new Map();
let all = 0;
for (const [id, us] of self) {
  const f = byId.get(id).callFrame;
  const where = f.url
    ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|src)\//, '$1/')}:${f.lineNumber + 1}`
    : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`;
  totals.set(key, (totals.get(key) ?? 0) + us);
  all += us;
}
const idle = [...totals].filter(([k]) => k.startsWith('(idle)')).reduce((s, [, v]) => s + v, 0);
console.log(`total ${(all / 1000).toFixed(0)} ms sampled, busy ${((all - idle) / 1000).toFixed(0)} ms`);
for (const [key, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(
    `${((us / (all - idle)) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`,
  );
}
