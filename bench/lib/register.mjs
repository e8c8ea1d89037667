// Registers checks through the daemon's HTTP API, `concurrency` clients at a time (as services do
// at deploy time), each POST acknowledged only once durable.
import { pool } from './http.mjs';

/** POSTs `{id: svc-N, url}` for N in [from, to); resolves with the number of 201s. */
export async function registerChecks(daemonUrl, targets, { from = 0, to, concurrency = 100 }) {
  const client = pool(daemonUrl, concurrency);
  let next = from;
  let created = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let n = next++; n < to; n = next++) {
          const res = await client.request({
            path: '/checks',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ id: `svc-${n}`, url: targets.url(n) }),
          });
          await res.body.dump();
          if (res.statusCode !== 201) throw new Error(`POST /checks svc-${n}: HTTP ${res.statusCode}`);
          created++;
        }
      }),
    );
  } finally {
    await client.close();
  }
  return created;
}
