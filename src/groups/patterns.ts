/** Matches check ids against a group's member patterns (exact ids, or `*` for any run of characters). */
export function memberMatcher(patterns: readonly string[]): (id: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns
    .filter((p) => p.includes('*'))
    .map(
      (p) =>
        new RegExp(
          `^${p
            .split('*')
            .map((part) => part.replace(/[.]/g, '\\.'))
            .join('.*')}$`,
        ),
    );
  return (id) => exact.has(id) || globs.some((re) => re.test(id));
}
