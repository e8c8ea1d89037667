import type { z } from 'zod';
import { preview } from './preview.js';

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

// preview, not JSON.stringify: a value nested 10 000 deep overflowed the stack here (a 500).
function describe(value: unknown): string {
  return value === undefined ? 'nothing' : preview(value, 80);
}

/** Turns the first zod issue into one line naming the key (dotted) and the value it got. */
type Issue = z.ZodError['issues'][number];

// A union failed: report the branch that matched the value's type, not "Invalid input" (a loop: unions may nest).
function pickIssue(first: Issue): Issue {
  let issue = first;
  while (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branch =
      issue.errors.find((b) => b[0] && !(b[0].code === 'invalid_type' && b[0].path.length === 0)) ?? issue.errors[0];
    const inner = branch?.[0];
    if (!inner) break;
    issue = { ...inner, path: [...issue.path, ...inner.path] } as Issue;
  }
  return issue;
}

export function formatIssue(error: z.ZodError, input: unknown, prefix = ''): string {
  const first = error.issues[0];
  if (!first) return 'invalid input';
  const issue = pickIssue(first);
  const path = issue.path.map(String);
  const at = (p: string[]) => [prefix, ...p].filter(Boolean).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => at([...path, k]));
    return `unknown key ${keys.map((k) => `\`${k}\``).join(', ')}`;
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  // An issue that names what is wrong itself (a bad key) shows no value.
  if (issue.code === 'custom' && (issue.params as { omitValue?: boolean } | undefined)?.omitValue) {
    return `\`${at(path)}\` ${message}`;
  }
  // Secrets are named, never echoed.
  const shown = path.some((k) => /token|^auth$/i.test(k)) ? '(redacted)' : describe(valueAt(input, issue.path));
  return `\`${at(path)}\` ${message}, got ${shown}`;
}
