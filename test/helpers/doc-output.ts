/**
 * How a shown output is compared with the real one: both go through the same few normalisations
 * (what differs from run to run), then line by line, where a line `...` stands for any lines.
 */
const NORMALISE: ReadonlyArray<[RegExp, string]> = [
  // ISO times: dates, since, until, checkedAt.
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<time>'],
  // HTTP dates (the Date header).
  [/\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\b/g, '<http-date>'],
  // Durations measured, not configured: latencies and read times.
  [/"(\w*Ms|observedValue)":\s*\d+(?:\.\d+)?/g, '"$1": <n>'],
  [/\b(latency|readMs)=\d+(?:\.\d+)?ms\b/g, '$1=<n>ms'],
  [/\bin \d+(?:\.\d+)? ?ms\b/g, 'in <n> ms'],
  // Process ids.
  [/"pid":\s*\d+/g, '"pid": <n>'],
  [/\bpid \d+/g, 'pid <n>'],
  // Change-feed indexes (they start at the clock's milliseconds): history entries, events, ETags.
  [/"index":\s*\d+/g, '"index": <index>'],
  [/^(id|X-Megaphone-Index): \d+(?=\r?$)/gim, '$1: <index>'],
  [/"\d{10,}-(\w+)"/g, '"<index>-$1"'],
];

/** An output's lines without CRs, trailing blanks and trailing empty lines. */
export function normaliseEnds(text: string): string[] {
  const lines = text.split('\n').map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** One output as compared: line ends and the run-to-run values normalised. */
export function normalise(text: string): string[] {
  let t = text;
  for (const [re, to] of NORMALISE) t = t.replace(re, to);
  return normaliseEnds(t);
}

/** True when `actual` matches `expected`, a line `...` in expected matching any lines (none too). */
export function matches(expected: readonly string[], actual: readonly string[]): boolean {
  const go = (e: number, a: number): boolean => {
    if (e === expected.length) return a === actual.length;
    if (expected[e] === '...') {
      for (let k = a; k <= actual.length; k++) if (go(e + 1, k)) return true;
      return false;
    }
    return a < actual.length && expected[e] === actual[a] && go(e + 1, a + 1);
  };
  return go(0, 0);
}

/** True when `expected` (normalised) matches the start of `actual`: a background command's banner. */
export function startsWith(expected: readonly string[], actual: readonly string[]): boolean {
  return expected.length <= actual.length && matches(expected, actual.slice(0, expected.length));
}
