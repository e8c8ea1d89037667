import { Client, Pool } from 'undici';

/** GET a URL once: { status, headers, body (Buffer) }. */
export async function get(url, headers = {}) {
  const u = new URL(url);
  const client = new Client(u.origin);
  try {
    const res = await client.request({ path: u.pathname + u.search, method: 'GET', headers });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: res.headers, body };
  } finally {
    await client.close();
  }
}

/** A keep-alive pool for many requests to one origin. */
export function pool(origin, connections) {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
}

/** Polls `fn` every `stepMs` until truthy; throws after `timeoutMs`. */
export async function until(fn, timeoutMs, stepMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Waits until the daemon's GET / says `status` (the checks have all been polled). */
export async function untilStatus(url, status, timeoutMs = 120_000) {
  return until(
    async () => {
      const r = await get(url);
      return JSON.parse(r.body.toString()).status === status;
    },
    timeoutMs,
    250,
  );
}
