import { normalizeStatus, type Status } from '../status.js';
import type { StatusPath } from '../checks/jsonpath.js';
import { clipMessage } from './result.js';

export interface Reading {
  status: Status;
  message: string;
  /** Set when the body parsed as JSON. */
  payload?: string;
}

// No readable status: the HTTP code decides (Consul's rule), 2xx leaves it Unknown.
function byHttpCode(httpStatus: number, why: string): Reading {
  if (httpStatus >= 200 && httpStatus < 300) return { status: 'Unknown', message: why };
  if (httpStatus === 429) return { status: 'Warning', message: `HTTP 429; ${why}` };
  return { status: 'Critical', message: `HTTP ${httpStatus}; ${why}` };
}

function messageBeside(parent: unknown): string {
  if (parent === null || typeof parent !== 'object') return '';
  const m = (parent as Record<string, unknown>).message;
  if (m === undefined || m === null) return '';
  return clipMessage(typeof m === 'string' ? m : JSON.stringify(m));
}

/** Reads a status from a JSON body: the value at `path`, its sibling `message`. Never throws. */
export function interpretJson(httpStatus: number, body: string, path: StatusPath): Reading {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    const reading = byHttpCode(httpStatus, `invalid JSON: ${(err as Error).message}`);
    return { ...reading, message: clipMessage(reading.message) };
  }
  const hit = path.find(json);
  if (!hit || hit.value === undefined || hit.value === null) {
    return { ...byHttpCode(httpStatus, `no status at ${path.text}`), payload: body };
  }
  const status = normalizeStatus(hit.value);
  if (!status) {
    const odd = clipMessage(JSON.stringify(hit.value).slice(0, 200));
    return { ...byHttpCode(httpStatus, `unrecognized status ${odd} at ${path.text}`), payload: body };
  }
  return { status, message: messageBeside(hit.parent), payload: body };
}
