import { MegaphoneError, badRequest } from '../lib/errors.js';
import { memberNames, type Query } from './jsonpath-ast.js';
import { evaluateJsonPath, JSONPATH_BUDGET } from './jsonpath-eval.js';
import { JsonPathError, parseJsonPath } from './jsonpath-parser.js';

/** Keys that reach JavaScript's prototype machinery: refused in every spelling. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/** Longest JSON path accepted; longer ones are refused at registration. */
export const MAX_JSONPATH_LENGTH = 256;

/** What a path found in a payload: the value and the object holding it (its `message` sits beside it). */
export type PathOutcome =
  | { kind: 'hit'; value: unknown; parent: unknown }
  | { kind: 'miss' }
  /** The evaluation ran out of its work budget on this body. */
  | { kind: 'over-budget'; steps: number }
  /** The path itself is refused (a stored check from before a rule existed). */
  | { kind: 'refused'; error: MegaphoneError };

/** A compiled, side-effect-free path into a JSON payload. Never throws. */
export interface StatusPath {
  text: string;
  /** Set when the path breaks a rule: it then finds nothing, and registering it again is a 400. */
  refusal?: MegaphoneError;
  find(json: unknown): PathOutcome;
}

const keyRefused = (key: string, text: string) =>
  badRequest(
    `\`url.jsonpath\` may not use the key ${JSON.stringify(key)} (it reaches JavaScript prototypes), got ` +
      `${JSON.stringify(text)}`,
    'E_JSONPATH_KEY',
  );

function slashPath(text: string): StatusPath {
  const segments = text.split('/').filter((s) => s !== '');
  if (segments.length === 0)
    throw badRequest(`\`url.jsonpath\` must name at least one key, got ${JSON.stringify(text)}`);
  const bad = segments.find((s) => FORBIDDEN_KEYS.has(s));
  if (bad !== undefined) throw keyRefused(bad, text);
  return {
    text,
    find(json) {
      let parent: unknown;
      let cur: unknown = json;
      for (const key of segments) {
        if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return { kind: 'miss' };
        parent = cur;
        cur = (cur as Record<string, unknown>)[key];
      }
      return { kind: 'hit', value: cur, parent };
    },
  };
}

// jsonpath-plus's script forms: `?(…)`, `[(…)]`, backticks, method calls (`@.x.match(…)`).
const SCRIPT_FORM = /\?\s*\(|\[\s*\(|`|\.\s*[A-Za-z_$][\w$]*\s*\(/;

// jsonpath-plus ran JavaScript from its script forms (CVE-2024-21534, CVE-2025-1302): a query that is not RFC 9535 and
// has one before where it breaks gets the message that points to the RFC form.
function scriptRefusal(err: JsonPathError): MegaphoneError | undefined {
  if (err.kind !== 'syntax' || !SCRIPT_FORM.test(err.text.slice(0, err.at + 1))) return undefined;
  return badRequest(
    `\`url.jsonpath\` may not contain filter or script expressions other than RFC 9535's (megaphone runs no ` +
      `script): write e.g. \`?@.x == 1\` (RFC 9535); here ${err.reason} at character ${err.at + 1}, got ` +
      `${JSON.stringify(err.text)}`,
    'E_JSONPATH_SCRIPT',
  );
}

function jsonPathExpression(text: string): StatusPath {
  let query: Query;
  try {
    query = parseJsonPath(text);
  } catch (err) {
    throw (err instanceof JsonPathError && scriptRefusal(err)) || err;
  }
  for (const key of memberNames(query)) if (FORBIDDEN_KEYS.has(key)) throw keyRefused(key, text);
  return {
    text,
    find(json) {
      const e = evaluateJsonPath(query, json, JSONPATH_BUDGET);
      if (e.found) return { kind: 'hit', value: e.value, parent: e.parent };
      return e.exhausted ? { kind: 'over-budget', steps: e.steps } : { kind: 'miss' };
    },
  };
}

// The path of every check that names none (immutable, so one is shared by all of them).
let DEFAULT_PATH: StatusPath | undefined;

/**
 * Checks a status path against every rule: the seed's slash path ("megaphone/status") or an RFC 9535
 * JSONPath starting with "$" (no prototype keys, no script). Throws a 400 naming the rule; what the API
 * and the config file use.
 */
export function parseStatusPath(text: string | undefined): StatusPath {
  if (text === undefined) return (DEFAULT_PATH ??= slashPath('status'));
  if (text.length > MAX_JSONPATH_LENGTH) {
    throw badRequest(`\`url.jsonpath\` is longer than ${MAX_JSONPATH_LENGTH} characters`, 'E_JSONPATH');
  }
  // RFC 9535 allows no blank space around a query: " $.a" is a JSONPath refused for it, not a slash path.
  return text.trimStart().startsWith('$') ? jsonPathExpression(text) : slashPath(text);
}

/** What a check whose stored path is refused says, instead of polling. */
export function refusedPathMessage(error: MegaphoneError): string {
  return `stored path refused: ${error.message} (${error.code}); register the check again with another path`;
}

/**
 * Like parseStatusPath, but never throws: a path that breaks a rule compiles to one that finds
 * nothing and carries the refusal, so a check stored before the rule existed still loads (Unknown, with why).
 */
export function compileStatusPath(text: string | undefined): StatusPath {
  try {
    return parseStatusPath(text);
  } catch (err) {
    const error =
      err instanceof MegaphoneError ? err : badRequest(`\`url.jsonpath\` is not valid: ${String(err)}`, 'E_JSONPATH');
    return { text: text ?? 'status', refusal: error, find: () => ({ kind: 'refused', error }) };
  }
}
