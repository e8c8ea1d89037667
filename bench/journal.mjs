// Bench 5: the registration store alone, no HTTP: acknowledged (fdatasync'd) commits per second
// with 100 concurrent writers, the journaled store vs the old whole-file DurableStore, alternating
// rounds in one run. Run `npm run build` first; `node bench/journal.mjs [--seconds=5 --rounds=3 --preload=1000]`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { fileStorage } from '../dist/storage/file.js';
import { JournaledStore } from '../dist/storage/journaled-store.js';
import { DurableStore } from '../dist/registry/store.js';
import { DurableJsonFile } from '../dist/registry/durable-file.js';
import { fmt, median, percentile } from './lib/stats.mjs';

const regSchema = z.strictObject({ id: z.string(), url: z.string() });
const opSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('put'), id: z.string(), reg: regSchema }),
  z.strictObject({ op: z.literal('del'), id: z.string() }),
]);

// A registry-shaped state, as the data file holds it: checks keyed by id (null prototype: ids come from clients).
function applyOp(state, op) {
  const had = Object.hasOwn(state.checks, op.id);
  if (op.op === 'put') state.checks[op.id] = op.reg;
  else delete state.checks[op.id];
  return had;
}
const emptyChecks = () => Object.create(null);
const registration = (id) => ({ op: 'put', id, reg: { id, url: `http://127.0.0.1:9/${id}` } });

async function openJournal(dataFile) {
  const store = await JournaledStore.open({
    storage: fileStorage(dataFile),
    initial: () => ({ version: 1, checks: emptyChecks() }),
    fromDocument: (json) => ({ version: 1, checks: Object.assign(emptyChecks(), json.checks) }),
    toDocument: (s) => ({ version: 1, checks: s.checks }),
    parseOp: (json) => opSchema.parse(json),
    apply: applyOp,
  });
  return {
    commit: (op) => store.commit(op),
    close: () => store.close(),
    extra: () => `${store.stats.compactions} compactions`,
  };
}

async function openWholeFile(dataFile) {
  // As src/registry/registry.ts uses it: a shallow draft of `checks`, the whole file rewritten per batch.
  const store = await DurableStore.open(new DurableJsonFile(dataFile), { version: 1, checks: {} }, (d) => ({
    ...d,
    checks: { ...d.checks },
  }));
  return {
    commit: (op) => store.update((draft) => applyOp(draft, opSchema.parse(op))),
    close: () => store.drain(),
    extra: () => '',
  };
}

/**
 * One timed burst against a fresh data file holding `preload` checks. Ids wrap so the store never
 * holds more than `limit` checks (the daemon's default limits.maxChecks): later ones replace.
 */
async function burst(kind, { seconds, writers, preload, limit }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'megaphone-bench-journal-'));
  const dataFile = path.join(dir, 'megaphone.db.json');
  const checks = {};
  for (let i = 0; i < preload; i++) checks[`pre-${i}`] = registration(`pre-${i}`).reg;
  writeFileSync(dataFile, JSON.stringify({ version: 1, checks }));
  const store = kind === 'journal' ? await openJournal(dataFile) : await openWholeFile(dataFile);
  const latencies = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < until) {
        const start = performance.now();
        await store.commit(registration(`burst-${next++ % (limit - preload)}`));
        latencies.push(performance.now() - start);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    kind,
    rate: latencies.length / secs,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    acked: latencies.length,
    cpuUs: (cpu.user + cpu.system) / latencies.length,
    extra: store.extra(),
  };
}

export async function benchJournal({ seconds = 5, rounds = 3, writers = 100, preload = 1000, limit = 10_000 } = {}) {
  const runs = { journal: [], 'whole-file': [] };
  for (let r = 0; r < rounds; r++) {
    for (const kind of ['journal', 'whole-file']) {
      const res = await burst(kind, { seconds, writers, preload, limit });
      runs[kind].push(res);
      console.log(
        `  ${kind.padEnd(10)} round ${r + 1}: ${fmt(res.rate, 0)} acknowledged/s (${res.acked} in ${seconds} s, ${writers} writers, ${preload} stored first, at most ${limit}), commit p50 ${fmt(res.p50, 2)} ms p99 ${fmt(res.p99, 2)} ms, CPU ${fmt(res.cpuUs, 0)} µs/commit${res.extra ? `, ${res.extra}` : ''}`,
      );
    }
  }
  const journal = { rate: median(runs.journal.map((x) => x.rate)), p99: median(runs.journal.map((x) => x.p99)) };
  const wholeFile = {
    rate: median(runs['whole-file'].map((x) => x.rate)),
    p99: median(runs['whole-file'].map((x) => x.p99)),
  };
  const ratio = journal.rate / wholeFile.rate;
  console.log(
    `  medians: journal ${fmt(journal.rate, 0)}/s p99 ${fmt(journal.p99, 2)} ms | whole-file ${fmt(wholeFile.rate, 0)}/s p99 ${fmt(wholeFile.p99, 2)} ms | ratio ${fmt(ratio, 2)}x`,
  );
  return { journal, wholeFile, ratio, writers, preload, limit, seconds };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      preload: { type: 'string', default: '1000' },
    },
  });
  console.log(
    `journal bench: node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  await benchJournal({
    seconds: Number(values.seconds),
    rounds: Number(values.rounds),
    preload: Number(values.preload),
  });
}
