// Registers checks through the daemon's HTTP API, `concurrency` clients at a time (as services do
// at deploy time), each POST acknowledged only once durable.
import { pool } from './http.mjs';

/** One `POST /checks {id, url, ...extra}` on an undici pool; resolves with the HTTP status once the body is read. */
export async function postCheck(client, id, url, extra = {}) {
  const res = await client.request({
    path: '/checks',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, url, ...extra }),
  });
  await res.body.dump();
  return res.statusCode;
}

/**
 * POSTs `{id: svc-N, url}` for N in [from, to) (`spec(n)`: `{url, ...fields}` of check N instead); resolves with the
 * number of 201s.
 */
export async function registerChecks(daemonUrl, targets, { from = 0, to, concurrency = 100, spec }) {
  const client = pool(daemonUrl, concurrency);
  let next = from;
  let created = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let n = next++; n < to; n = next++) {
          const { url, ...extra } = spec ? spec(n) : { url: targets.url(n) };
          const status = await postCheck(client, `svc-${n}`, url, extra);
          if (status !== 201) throw new Error(`POST /checks svc-${n}: HTTP ${status}`);
          created++;
        }
      }),
    );
  } finally {
    await client.close();
  }
  return created;
}
