import type { z } from 'zod';

/** A key of megaphone.conf.json as the docs name it (`limits.maxChecks`, `notify[].url`) and its zod type. */
export interface ConfigKey {
  path: string;
  /** zod's def type of the value once wrappers are removed: number, string, boolean, custom (durations), … */
  type: string;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
}

const def = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** The schema under defaults and optionals; a transform's input side (a duration is `custom`). */
function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    const d = def(s);
    if (WRAPPERS.has(d.type) && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/**
 * Every key a schema accepts, objects walked into: arrays of objects as `key[]` plus their fields
 * (`notify[].url`), a union holding an object form (`url` or `{addr, …}`) as the key and its fields.
 * `records` names the keys that are records of named entries (a safeRecord is opaque to zod's
 * introspection) with the schema of one entry: `groups` as type `record` and `groups.<name>.checks`.
 */
export function configKeys(
  schema: z.ZodType,
  prefix = '',
  records: ReadonlyMap<string, z.ZodType> = new Map(),
): ConfigKey[] {
  const entry = records.get(prefix);
  if (entry) return [{ path: prefix, type: 'record' }, ...configKeys(entry, `${prefix}.<name>`, records)];
  const s = unwrap(schema);
  const d = def(s);
  if (d.type === 'object' && d.shape) {
    return Object.entries(d.shape).flatMap(([k, v]) => configKeys(v, prefix ? `${prefix}.${k}` : k, records));
  }
  const out: ConfigKey[] = [{ path: prefix, type: d.type }];
  if (d.type === 'array' && d.element && def(unwrap(d.element)).type === 'object') {
    out.push(...configKeys(d.element, `${prefix}[]`, records));
  }
  if (d.type === 'union' && d.options) {
    for (const o of d.options) if (def(unwrap(o)).type === 'object') out.push(...configKeys(o, prefix, records));
  }
  return out;
}

/** One row of a reference table: its first cell's `key`, and the other cells by header. */
export interface KeyRow {
  key: string;
  cells: Record<string, string>;
  line: number;
}

/**
 * The rows of every table in a page whose first header is `key` or `field`: the key is the
 * first cell's backticked name, prefixed with `prefix` (`checks[].` for the check fields table).
 */
export function keyRows(markdown: string, prefix = ''): KeyRow[] {
  const rows: KeyRow[] = [];
  let headers: string[] | undefined;
  const cellsOf = (l: string) =>
    l
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
  markdown.split('\n').forEach((line, i) => {
    if (!line.trim().startsWith('|')) {
      headers = undefined;
      return;
    }
    const cells = cellsOf(line);
    if (!headers) {
      headers = cells;
      return;
    }
    if (/^:?-+/.test(cells[0] ?? '')) return;
    if (headers[0] !== 'key' && headers[0] !== 'field') return;
    const key = /^`([^`]+)`$/.exec(cells[0] ?? '');
    if (!key) throw new Error(`line ${i + 1}: the first cell must be one backticked key, got ${cells[0]}`);
    rows.push({
      key: `${prefix}${key[1]}`,
      cells: Object.fromEntries((headers ?? []).map((h, k) => [h, cells[k] ?? ''])),
      line: i + 1,
    });
  });
  return rows;
}
