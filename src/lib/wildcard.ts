/** A piece of a wildcard pattern: literal text, or a run of characters (`any`: zero or more; `digits`: one or more). */
export type Piece = string | { run: 'any' | 'digits' };

/** One character of a class, or any number of them. */
type Token = { one: (c: string) => boolean } | { star: (c: string) => boolean };

const ANY = () => true;
const DIGIT = (c: string) => c >= '0' && c <= '9';

/**
 * A matcher for a pattern of literal text and runs, with no regex and no backtracking: the set of
 * places the pattern may be at advances one character at a time (a Thompson NFA), so a match
 * costs O(text × pattern) at worst — `a*a*a*a*a*a*a` against 128 characters is ~2 000 steps,
 * where a backtracking regex took 39 s.
 */
export function wildcardMatcher(pieces: readonly Piece[]): (text: string) => boolean {
  const tokens: Token[] = [];
  for (const p of pieces) {
    if (typeof p === 'string') for (const char of p) tokens.push({ one: (c) => c === char });
    else if (p.run === 'any') tokens.push({ star: ANY });
    else tokens.push({ one: DIGIT }, { star: DIGIT });
  }
  const n = tokens.length;
  // A star may match nothing: the places after it are reachable too.
  const close = (at: Uint8Array) => {
    for (let i = 0; i < n; i++) if (at[i] && 'star' in (tokens[i] as Token)) at[i + 1] = 1;
  };
  return (text) => {
    let at = new Uint8Array(n + 1);
    let next = new Uint8Array(n + 1);
    at[0] = 1;
    close(at);
    for (const c of text) {
      next.fill(0);
      let alive = false;
      for (let i = 0; i < n; i++) {
        if (!at[i]) continue;
        const t = tokens[i] as Token;
        const to = 'star' in t ? (t.star(c) ? i : -1) : t.one(c) ? i + 1 : -1;
        if (to < 0) continue;
        next[to] = 1;
        alive = true;
      }
      if (!alive) return false;
      close(next);
      [at, next] = [next, at];
    }
    return at[n] === 1;
  };
}

/** The pieces of a `*` glob: `app-*` → ["app-", any]. */
export function globPieces(glob: string): Piece[] {
  const pieces: Piece[] = [];
  glob.split('*').forEach((text, i) => {
    if (i > 0) pieces.push({ run: 'any' });
    if (text) pieces.push(text);
  });
  return pieces;
}
