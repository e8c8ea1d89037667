// JSONPath per poll: what a check pays to read its status from a parsed body, this build against
// another (A/B, alternating rounds in one process), and how long a hostile path takes to spend the
// whole budget. In-process: no daemon.
//   npm run build && node bench/jsonpath.mjs
//   MEGAPHONE_BENCH_BASE=/tmp/base/dist node bench/jsonpath.mjs   # A/B against another build's dist/
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { machineLoad } from './lib/proc.mjs';
import { fmt, median } from './lib/stats.mjs';

const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'dist');
const load = async (dist) => import(pathToFileURL(path.join(dist, 'checks', 'jsonpath.js')).href);
const mine = await load(here);
const base = process.env.MEGAPHONE_BENCH_BASE ? await load(process.env.MEGAPHONE_BENCH_BASE) : undefined;

// A health answer of ~1 KB, as services send them.
const body = JSON.parse(
  JSON.stringify({
    status: 'OK',
    message: 'fine',
    health: { status: 'OK', message: 'all good' },
    checks: Array.from({ length: 8 }, (_, i) => ({
      name: i === 5 ? 'db' : `svc${i}`,
      status: i === 5 ? 'Warning' : 'OK',
      message: `component ${i} replies in ${i * 3} ms`,
      deps: ['a', 'b'],
    })),
  }),
);

// CPU nanoseconds per find(), or undefined when the build refuses the path.
function timeFind(mod, text, doc, iterations) {
  let p;
  try {
    p = mod.parseStatusPath(text);
  } catch {
    return undefined;
  }
  for (let i = 0; i < iterations / 10; i++) p.find(doc);
  // CPU time, not wall-clock: the machine is shared, and waiting for a core is not the path's cost.
  const t0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) p.find(doc);
  const { user, system } = process.cpuUsage(t0);
  return ((user + system) * 1000) / iterations;
}

// Rounds alternate this build and the base (A B A B …): the median of the per-round ratios is what to read.
function compare(text, doc, iterations, rounds = 15) {
  const a = [];
  const b = [];
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    a.push(timeFind(mine, text, doc, iterations));
    if (!base) continue;
    b.push(timeFind(base, text, doc, iterations));
    if (b[r] !== undefined) ratios.push(a[r] / b[r]);
  }
  return { mine: median(a), base: ratios.length > 0 ? median(b) : undefined, ratio: median(ratios) };
}

function row(text, doc, note) {
  const r = compare(text, doc, 20_000);
  const ratio = r.base ? `${fmt(r.ratio, 2)}x` : '';
  const baseNs = r.base === undefined ? 'refused' : fmt(r.base, 0);
  console.log(`| \`${text}\`${note} | ${fmt(r.mine, 0)} | ${baseNs} | ${ratio} |`);
}

console.log(
  `jsonpath bench: node ${process.version}, ${os.cpus().length} cores, load average ${machineLoad()}, ` +
    `${new Date().toISOString()}${base ? `, base ${process.env.MEGAPHONE_BENCH_BASE}` : ''}`,
);
// `status` (a slash path) runs the same code in both builds: its ratio is the noise of the run.
console.log(
  '| path (1 KB body; 60 KB with 1 000 components) | this build ns/poll | base ns/poll | ratio (median of rounds) |',
);
console.log('|---|---|---|---|');
for (const text of [
  'status',
  '$.status',
  '$.health.status',
  '$.checks[5].status',
  '$.checks[*].status',
  '$..status',
  "$.checks[?@.name == 'db'].status",
  "$.checks[?@.status != 'OK' && search(@.message, 'replies in [0-9]+')].status",
  '$.checks[?count(@.deps[*]) == 2 && length(@.name) == 2].status',
]) {
  row(text, body, '');
}
// A 60 KB answer listing 1 000 components: the first node is near the start, the rest need not be read.
const large = {
  checks: Array.from({ length: 1000 }, (_, i) => ({ name: `svc${i}`, status: 'OK', note: 'x'.repeat(30) })),
};
for (const text of ['$.checks[*].status', '$..status', "$.checks[?@.status == 'OK'].status"])
  row(text, large, ' (1 000)');

// Paths that spend the whole budget: the most one poll can cost.
const wide = JSON.parse(`[${Array(30_000).fill('[0,0,0,0,0,0,0,0]').join(',')}]`);
const nested = JSON.parse(`[${Array(8000).fill('[[[1,2],[3]]]').join(',')}]`);
const text = { big: 'x'.repeat(60_000), items: Array.from({ length: 30_000 }, (_, i) => i) };
console.log('\n| hostile path | body | ms per poll (budget spent) |');
console.log('|---|---|---|');
for (const [path, doc, what] of [
  ['$[*][0,1,2,3,4,5,6,7].x', wide, '30 000 arrays of 8'],
  ['$[?count(@..*) > 100000]', nested, '8 000 nested arrays'],
  ['$.items[?length($.big) == 1]', text, '60 000-character string'],
  ["$.items[?search($.big, '(x|xx)*y')]", text, '60 000-character string'],
  ["$[?search(@, '[a-z]{0,1000}x')]", ['a'.repeat(60_000)], '60 000-character string'],
  ['$.items[?match(@, $.re)]', { re: '(a|a)*(b|b)*c', items: Array(30_000).fill('a'.repeat(30)) }, '30 000 strings'],
]) {
  const ns = compare(path, doc, 10, 5).mine;
  const outcome = mine.parseStatusPath(path).find(doc).kind;
  console.log(`| \`${path}\` | ${what} | ${fmt(ns / 1e6, 2)} (${outcome}) |`);
}

// Parsing happens once, at registration: CPU µs per parse, this build (and the base where it accepts the path).
const parse = (mod, t) => {
  const n = 20_000;
  try {
    for (let i = 0; i < n / 10; i++) mod.parseStatusPath(t);
  } catch {
    return 'refused';
  }
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) mod.parseStatusPath(t);
  const { user, system } = process.cpuUsage(t0);
  return fmt((user + system) / n, 2);
};
console.log('\n| parse at registration | this build µs | base µs |');
console.log('|---|---|---|');
for (const t of ['$.health.status', "$.checks[?@.status != 'OK' && search(@.message, 'lag|down')].status"])
  console.log(`| \`${t}\` | ${parse(mine, t)} | ${base ? parse(base, t) : ''} |`);
