import { MegaphoneError, badRequest } from '../lib/errors.js';
import { costRule, forbiddenKey, parseJsonPath, FORBIDDEN_KEYS, type Segment } from './jsonpath-syntax.js';
import { evaluateJsonPath, JSONPATH_BUDGET } from './jsonpath-eval.js';

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

function jsonPathExpression(text: string): StatusPath {
  // Filters and script expressions are how CVE-2024-21534 / CVE-2025-1302 executed code in jsonpath-plus: refuse them
  // outright.
  if (/[()?`]/.test(text)) {
    throw badRequest(
      `\`url.jsonpath\` may not contain filter or script expressions, got ${JSON.stringify(text)}`,
      'E_JSONPATH_SCRIPT',
    );
  }
  const segments: Segment[] = parseJsonPath(text);
  const key = forbiddenKey(segments);
  if (key !== undefined) throw keyRefused(key, text);
  const cost = costRule(segments);
  if (cost !== undefined)
    throw badRequest(
      `\`url.jsonpath\` is too costly to evaluate: ${cost}, got ${JSON.stringify(text)}`,
      'E_JSONPATH_COST',
    );
  return {
    text,
    find(json) {
      const e = evaluateJsonPath(segments, json, JSONPATH_BUDGET);
      if (e.found) return { kind: 'hit', value: e.value, parent: e.parent };
      return e.exhausted ? { kind: 'over-budget', steps: e.steps } : { kind: 'miss' };
    },
  };
}

// The path of every check that names none (immutable, so one is shared by all of them).
let DEFAULT_PATH: StatusPath | undefined;

/**
 * Checks a status path against every rule: the seed's slash path ("megaphone/status") or a
 * JSONPath starting with "$" (no filters or scripts, no prototype keys, at most one `..` and
 * then no wildcard). Throws a 400 naming the rule; what the API and the config file use.
 */
export function parseStatusPath(text: string | undefined): StatusPath {
  if (text === undefined) return (DEFAULT_PATH ??= slashPath('status'));
  if (text.length > MAX_JSONPATH_LENGTH) {
    throw badRequest(`\`url.jsonpath\` is longer than ${MAX_JSONPATH_LENGTH} characters`, 'E_JSONPATH');
  }
  return text.trimStart().startsWith('$') ? jsonPathExpression(text.trim()) : slashPath(text);
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
