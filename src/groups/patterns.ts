import { globPieces, wildcardMatcher } from '../lib/wildcard.js';

/**
 * Matches check ids against a group's member patterns (exact ids, or `*` for any run of characters),
 * in time linear in the id for each pattern: no regex, so no backtracking on a pattern like `a*a*a*a*a*a*a`.
 */
export function memberMatcher(patterns: readonly string[]): (id: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*')).map((p) => wildcardMatcher(globPieces(p)));
  return (id) => exact.has(id) || globs.some((matches) => matches(id));
}
