import { JSONPath } from 'jsonpath-plus';
import { badRequest } from '../lib/errors.js';

/** Longest JSON path accepted; longer ones are refused at registration. */
export const MAX_JSONPATH_LENGTH = 256;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** Where a status value was found, and the object holding it (its `message` sits beside it). */
export interface PathHit {
  value: unknown;
  parent: unknown;
}

/** A compiled, side-effect-free path into a JSON payload. Never throws. */
export interface StatusPath {
  text: string;
  find(json: unknown): PathHit | undefined;
}

function slashPath(text: string): StatusPath {
  const segments = text.split('/').filter((s) => s !== '');
  if (segments.length === 0) throw badRequest(`\`url.jsonpath\` must name at least one key, got ${JSON.stringify(text)}`);
  for (const s of segments) {
    if (FORBIDDEN_SEGMENTS.has(s)) throw badRequest(`\`url.jsonpath\` may not use the key ${JSON.stringify(s)}`);
  }
  return {
    text,
    find(json) {
      let parent: unknown;
      let cur: unknown = json;
      for (const key of segments) {
        if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
        parent = cur;
        cur = (cur as Record<string, unknown>)[key];
      }
      return { value: cur, parent };
    },
  };
}

function jsonPathExpression(text: string): StatusPath {
  // Filters and script expressions are how CVE-2024-21534 / CVE-2025-1302 execute code: refuse them outright.
  if (/[()]/.test(text) || text.includes('?') || text.includes('`')) {
    throw badRequest(`\`url.jsonpath\` may not contain filter or script expressions, got ${JSON.stringify(text)}`, 'E_JSONPATH_SCRIPT');
  }
  const evaluate = (json: unknown) =>
    JSONPath({ path: text, json: json as object, eval: false, wrap: true, resultType: 'all', ignoreEvalErrors: false }) as Array<{ value: unknown; parent: unknown }>;
  try {
    evaluate({});
  } catch (err) {
    throw badRequest(`\`url.jsonpath\` is not a valid JSONPath: ${(err as Error).message}`, 'E_JSONPATH');
  }
  return {
    text,
    find(json) {
      try {
        const hit = evaluate(json)[0];
        return hit ? { value: hit.value, parent: hit.parent } : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Compiles a status path: the seed's slash path ("megaphone/status") or a JSONPath starting
 * with "$", always evaluated with `eval: false`. Throws a 400 naming the problem.
 */
export function compileStatusPath(text: string | undefined): StatusPath {
  if (text === undefined) return slashPath('status');
  if (text.length > MAX_JSONPATH_LENGTH) {
    throw badRequest(`\`url.jsonpath\` is longer than ${MAX_JSONPATH_LENGTH} characters`, 'E_JSONPATH');
  }
  return text.trimStart().startsWith('$') ? jsonPathExpression(text.trim()) : slashPath(text);
}
