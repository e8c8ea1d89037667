import { normalizeStatus } from '../status.js';
import { clipMessage } from './result.js';
import { unreadable, type Reading } from './http-code.js';
import { preview } from '../lib/preview.js';

type Entry = { status?: unknown; output?: unknown; componentId?: unknown };

// The draft's rule when the body carries no readable status: pass/warn are 2xx-3xx, fail is 4xx-5xx.
// The draft: pass/warn are 2xx-3xx, so a 3xx without a readable status is not a failure either.
const byHttpCode = (httpStatus: number, why: string) => unreadable(httpStatus, why, 400);

// Every entry of `checks` that does not pass, as "key[componentId] status: output".
function failing(checks: unknown): string[] {
  if (checks === null || typeof checks !== 'object' || Array.isArray(checks)) return [];
  const out: string[] = [];
  for (const [key, entries] of Object.entries(checks as Record<string, unknown>)) {
    for (const e of Array.isArray(entries) ? (entries as Entry[]) : [entries as Entry]) {
      if (e === null || typeof e !== 'object') continue;
      const status = normalizeStatus(e.status);
      if (status === 'OK') continue;
      const who = typeof e.componentId === 'string' ? `${key}[${e.componentId}]` : key;
      const word = typeof e.status === 'string' ? e.status : 'unknown';
      out.push(`${who} ${word}${typeof e.output === 'string' && e.output ? `: ${e.output}` : ''}`);
    }
  }
  return out;
}

/** Reads an IETF health+json body (pass/warn/fail and aliases); failing `checks` entries become the message. */
export function interpretHealthJson(httpStatus: number, body: string): Reading {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return byHttpCode(httpStatus, clipMessage(`invalid JSON: ${(err as Error).message}`));
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    return byHttpCode(httpStatus, 'health+json body is not an object');
  const doc = json as { status?: unknown; output?: unknown; checks?: unknown };
  const status = normalizeStatus(doc.status);
  if (!status)
    return {
      ...byHttpCode(httpStatus, `no health+json status (got ${preview(doc.status ?? null, 100)})`),
      payload: body,
    };
  const parts = failing(doc.checks);
  if (parts.length === 0 && typeof doc.output === 'string' && doc.output) parts.push(doc.output);
  return { status, message: clipMessage(parts.join('; ')), payload: body };
}
