/** One media range of an Accept header: type and subtype (lower case, `*` for any) and its weight. */
interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseRange(part: string): MediaRange | undefined {
  const [media = '', ...params] = part.split(';');
  const [type, subtype, extra] = media.trim().toLowerCase().split('/');
  if (!type || !subtype || extra !== undefined) return undefined;
  let q = 1;
  for (const p of params) {
    const [name, value] = p.split('=').map((s) => s.trim());
    // RFC 9110 qvalues: 0 to 1, at most three decimals; a malformed one drops the range.
    if (name?.toLowerCase() === 'q') {
      if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value ?? '')) return undefined;
      q = Number(value);
    }
  }
  return { type, subtype, q };
}

/**
 * The media ranges of an Accept header, malformed ones left out. Parameters other than q are ignored (a charset changes
 * nothing here).
 */
export function parseAccept(header: string): MediaRange[] {
  return header.split(',').flatMap((part) => parseRange(part) ?? []);
}

// RFC 9110 §12.5.1: the most specific range that matches gives the weight (type/subtype > type/* > */*).
function weightOf(ranges: readonly MediaRange[], mediaType: string): number | undefined {
  const [type, subtype] = mediaType.toLowerCase().split('/');
  let best: { specificity: number; q: number } | undefined;
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype
        ? 2
        : r.type === type && r.subtype === '*'
          ? 1
          : r.type === '*' && r.subtype === '*'
            ? 0
            : -1;
    if (specificity < 0 || (best && best.specificity >= specificity)) continue;
    best = { specificity, q: r.q };
  }
  return best?.q;
}

/**
 * Picks one of `types` (in the server's order of preference) for an Accept header: the highest
 * weight above 0, ties to the earlier type. When none is acceptable, the first type the header
 * does not mention (RFC 9110 lets a server disregard Accept); undefined when it refuses them all (q=0).
 */
export function chooseMediaType(header: string, types: readonly string[]): string | undefined {
  const ranges = parseAccept(header);
  let chosen: string | undefined;
  let chosenQ = 0;
  let unmentioned: string | undefined;
  for (const t of types) {
    const q = weightOf(ranges, t);
    if (q === undefined) unmentioned ??= t;
    else if (q > chosenQ) {
      chosen = t;
      chosenQ = q;
    }
  }
  return chosen ?? unmentioned;
}
