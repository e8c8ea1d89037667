/** One Nagios performance datum: `'label'=value[UOM];warn;crit;min;max`. */
export interface Perfdatum {
  label: string;
  value: number | null;
  uom?: string;
  warn?: string;
  crit?: string;
  min?: number;
  max?: number;
}

/** Most perfdata entries kept per result. */
export const MAX_PERFDATA = 64;

// A label is quoted ('' escapes a quote) or runs to '='; then value+UOM and up to four ;-fields.
const ITEM =
  /\s*(?:'((?:[^']|'')+)'|([^\s=']+))=([^\s;]*)(?:;([^\s;]*))?(?:;([^\s;]*))?(?:;([^\s;]*))?(?:;([^\s;]*))?/y;
const VALUE = /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)([a-zA-Z%/]*)$/;

const num = (s: string | undefined) =>
  s !== undefined && s !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined;
const text = (s: string | undefined) => (s !== undefined && s !== '' ? s : undefined);

/** Parses a perfdata string (the part after `|`). Unparseable tails are dropped, never thrown. */
export function parsePerfdata(input: string): Perfdatum[] {
  const out: Perfdatum[] = [];
  ITEM.lastIndex = 0;
  const s = input.trim();
  while (ITEM.lastIndex < s.length && out.length < MAX_PERFDATA) {
    const m = ITEM.exec(s);
    if (!m) break;
    const label = (m[1] ?? m[2] ?? '').replace(/''/g, "'");
    const v = VALUE.exec(m[3] ?? '');
    const item: Perfdatum = { label, value: v ? Number(v[1]) : null };
    if (v?.[2]) item.uom = v[2];
    const warn = text(m[4]);
    const crit = text(m[5]);
    const min = num(m[6]);
    const max = num(m[7]);
    if (warn !== undefined) item.warn = warn;
    if (crit !== undefined) item.crit = crit;
    if (min !== undefined) item.min = min;
    if (max !== undefined) item.max = max;
    out.push(item);
  }
  return out;
}

/** Splits plugin output: message = first line before `|`; perfdata from the first line and any later `|`. */
export function parsePluginOutput(output: string): { message: string; perfdata: Perfdatum[] } {
  const lines = output.split('\n');
  const [first = '', ...rest] = lines;
  const bar = first.indexOf('|');
  const message = (bar === -1 ? first : first.slice(0, bar)).trim();
  const perf: string[] = [];
  if (bar !== -1) perf.push(first.slice(bar + 1));
  // Nagios long output: perfdata may continue after a `|` on a later line, to the end.
  const longBar = rest.join('\n').indexOf('|');
  if (longBar !== -1)
    perf.push(
      rest
        .join('\n')
        .slice(longBar + 1)
        .replace(/\n/g, ' '),
    );
  return { message, perfdata: perf.flatMap(parsePerfdata).slice(0, MAX_PERFDATA) };
}
