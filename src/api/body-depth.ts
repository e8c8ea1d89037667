/** Deepest nesting of arrays and objects a request body may have; no API body needs more than a few levels. */
export const MAX_BODY_DEPTH = 32;

/** True when `value` nests arrays/objects deeper than `max` (a bare `{}` is depth 1). Iterative: any depth is safe. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop() as number;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) {
      if (child === null || typeof child !== 'object') continue;
      values.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}
