import { normalizeStatus } from '../status.js';
import { unreadable, type Reading } from './http-code.js';
import { refusedPathMessage, type StatusPath } from '../checks/jsonpath.js';
import { clipMessage } from './result.js';
import { preview } from '../lib/preview.js';
import type { ValueThresholds } from '../checks/numeric-thresholds.js';
import { judgeValue } from './value.js';

export type { Reading };

function messageBeside(parent: unknown): string {
  if (parent === null || typeof parent !== 'object') return '';
  const m = (parent as Record<string, unknown>).message;
  if (m === undefined || m === null) return '';
  return clipMessage(typeof m === 'string' ? m : preview(m, 1000));
}

/**
 * Reads a status from a JSON body: the value at `path`, its sibling `message`; with `thresholds`, the value is a
 * number judged by them. Never throws.
 */
export function interpretJson(
  httpStatus: number,
  body: string,
  path: StatusPath,
  thresholds?: ValueThresholds,
): Reading {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    const reading = unreadable(httpStatus, `invalid JSON: ${(err as Error).message}`);
    return { ...reading, message: clipMessage(reading.message) };
  }
  const hit = path.find(json);
  // The path cannot be read at all: nothing the body says changes that.
  if (hit.kind === 'refused') return { status: 'Unknown', message: refusedPathMessage(hit.error), payload: body };
  if (hit.kind === 'over-budget') {
    return {
      ...unreadable(
        httpStatus,
        `\`url.jsonpath\` ${path.text} gave up after ${hit.steps} steps on this body (E_JSONPATH_BUDGET)`,
      ),
      payload: body,
    };
  }
  if (hit.kind === 'miss' || hit.value === undefined || hit.value === null) {
    return { ...unreadable(httpStatus, `no ${thresholds ? 'value' : 'status'} at ${path.text}`), payload: body };
  }
  if (thresholds) return { ...judgeValue(httpStatus, hit.value, path.text, thresholds), payload: body };
  const status = normalizeStatus(hit.value);
  if (!status) {
    const odd = preview(hit.value, 200);
    return { ...unreadable(httpStatus, `unrecognized status ${odd} at ${path.text}`), payload: body };
  }
  return { status, message: messageBeside(hit.parent), payload: body };
}
