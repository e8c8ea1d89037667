import { normalizeStatus, type Status } from '../status.js';
import { refusedPathMessage, type StatusPath } from '../checks/jsonpath.js';
import { clipMessage } from './result.js';
import { preview } from '../lib/preview.js';

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
  return clipMessage(typeof m === 'string' ? m : preview(m, 1000));
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
  // The path cannot be read at all: nothing the body says changes that.
  if (hit.kind === 'refused') return { status: 'Unknown', message: refusedPathMessage(hit.error), payload: body };
  if (hit.kind === 'over-budget') {
    return {
      ...byHttpCode(
        httpStatus,
        `\`url.jsonpath\` ${path.text} gave up after ${hit.steps} steps on this body (E_JSONPATH_BUDGET)`,
      ),
      payload: body,
    };
  }
  if (hit.kind === 'miss' || hit.value === undefined || hit.value === null) {
    return { ...byHttpCode(httpStatus, `no status at ${path.text}`), payload: body };
  }
  const status = normalizeStatus(hit.value);
  if (!status) {
    const odd = preview(hit.value, 200);
    return { ...byHttpCode(httpStatus, `unrecognized status ${odd} at ${path.text}`), payload: body };
  }
  return { status, message: messageBeside(hit.parent), payload: body };
}
