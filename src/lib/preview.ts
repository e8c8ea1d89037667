/** How deep a preview looks into nested values; deeper ones show as `[…]` / `{…}`. */
const PREVIEW_DEPTH = 4;

function walk(value: unknown, depth: number, budget: { left: number }): string {
  if (budget.left <= 0) return '…';
  let out: string;
  if (value === null || typeof value !== 'object') {
    // Strings are cut before quoting: a 64 KB string costs no more than a short one.
    out =
      typeof value === 'string'
        ? JSON.stringify(value.length > budget.left ? value.slice(0, budget.left) : value)
        : String(JSON.stringify(value) ?? value);
  } else if (depth >= PREVIEW_DEPTH) {
    out = Array.isArray(value) ? '[…]' : '{…}';
  } else {
    const array = Array.isArray(value);
    const parts: string[] = [];
    budget.left -= 2;
    for (const key of array ? value.keys() : Object.keys(value)) {
      if (budget.left <= 0) {
        parts.push('…');
        break;
      }
      const v = (value as Record<string | number, unknown>)[key];
      const part = array ? walk(v, depth + 1, budget) : `${JSON.stringify(key)}:${walk(v, depth + 1, budget)}`;
      parts.push(part);
    }
    out = array ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
  }
  budget.left -= out.length;
  return out;
}

/**
 * A short JSON-like rendering of any value for messages: at most about `max` characters, never
 * deeper than a few levels, so it cannot overflow the stack (JSON.stringify does at ~10 000 levels) or
 * copy a whole body. Never throws.
 */
export function preview(value: unknown, max = 80): string {
  const text = walk(value, 0, { left: max });
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
