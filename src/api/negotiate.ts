import type { Context } from 'koa';
import type { StatusView } from '../summary/host-view.js';
import { MegaphoneError, badRequest } from '../lib/errors.js';
import { chooseMediaType } from './accept.js';
import type { Representation } from './representations.js';

interface Cached {
  version: number;
  second: number;
  bytes: Buffer;
}

/**
 * Picks the representation of GET / for a request and serves its bytes, pre-serialized and
 * rebuilt only when the host summary changed (or, for dated ones, the second turned).
 */
export class Negotiator {
  private readonly byFormat = new Map<string, Representation>();
  private readonly types: string[];
  private readonly cache = new Map<Representation, Cached>();

  constructor(
    private readonly host: StatusView,
    private readonly now: () => number,
    readonly representations: readonly Representation[],
  ) {
    for (const r of representations) this.byFormat.set(r.format, r);
    this.types = representations.map((r) => r.type);
  }

  /**
   * `?format=` wins, then Accept (RFC 9110: q-values, the most specific range, parameters such as
   * charset ignored, any case); no Accept, or one naming nothing served here, gets the first (the
   * seed JSON). 406 when Accept refuses every type with q=0.
   */
  choose(ctx: Context): Representation {
    const first = this.representations[0] as Representation;
    // Fast path: no query string and no Accept header, the load balancer's usual request.
    if (ctx.querystring === '' && !ctx.headers.accept) return first;
    const format = ctx.query.format;
    if (format !== undefined) {
      const r = typeof format === 'string' ? this.byFormat.get(format) : undefined;
      if (!r)
        throw badRequest(
          `format must be one of ${[...this.byFormat.keys()].join(', ')}, got ${JSON.stringify(format)}`,
          'E_BAD_FORMAT',
        );
      return r;
    }
    if (!ctx.headers.accept) return first;
    const type = chooseMediaType(ctx.headers.accept, this.types);
    const r = this.representations.find((x) => x.type === type);
    if (!r)
      throw new MegaphoneError(
        `Accept ${JSON.stringify(ctx.headers.accept)} refuses every type served here (${this.types.join(', ')})`,
        'E_NOT_ACCEPTABLE',
        406,
      );
    return r;
  }

  /** The bytes of `r` for the host now. */
  body(r: Representation): Buffer {
    const now = this.now();
    // Read the summary before the version: reading it may apply staleness and bump the version.
    const summary = this.host.summary();
    const version = r.listsChecks ? this.host.version : this.host.summaryVersion;
    const second = r.perSecond ? Math.floor(now / 1000) : 0;
    const hit = this.cache.get(r);
    if (hit && hit.version === version && hit.second === second) return hit.bytes;
    const bytes = Buffer.from(r.render({ host: this.host, summary, now }));
    this.cache.set(r, { version, second, bytes });
    return bytes;
  }
}

/** One Negotiator per view, made on first use and dropped with the view (a group after a reload). */
export function negotiatorsByView(
  now: () => number,
  representations: readonly Representation[],
): (view: StatusView) => Negotiator {
  const byView = new WeakMap<StatusView, Negotiator>();
  return (view) => {
    let n = byView.get(view);
    if (!n) byView.set(view, (n = new Negotiator(view, now, representations)));
    return n;
  };
}
