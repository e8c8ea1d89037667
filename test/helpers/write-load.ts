/** What the data file should hold for one check id: absent (null), or its kind, url, push report and silence. */
export type CheckModel = { kind: 'push' | 'http'; url?: string; report?: string; silence?: string } | null;

/** A write in its acknowledged past and, while it is in flight, the state it would make. */
interface Tracked<S> {
  acked: S;
  /** Set while a request is in flight (or was, when the daemon died): it may or may not have been applied, whole. */
  pending?: { next: S };
}

type Step = {
  name: string;
  send: (url: string, id: string) => Promise<Response>;
  next: (s: CheckModel, id: string) => CheckModel;
};

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const dead = (id: string) => `http://127.0.0.1:1/${id}`;

// Every kind of write the data file takes for a check, in an order each of them is valid in.
const STEPS: Step[] = [
  {
    name: 'register',
    send: (u, id) => fetch(`${u}/checks`, json('POST', { id, ttl: '1h' })),
    next: () => ({ kind: 'push' }),
  },
  {
    name: 'push report',
    send: (u, id) => fetch(`${u}/checks/${id}/status`, json('PUT', { status: 'Warning', message: `m-${id}` })),
    next: (s, id) => ({ ...(s as object), kind: 'push', report: `m-${id}` }),
  },
  {
    name: 'silence',
    send: (u, id) => fetch(`${u}/checks/${id}/silence`, json('PUT', { reason: `s-${id}` })),
    next: (s, id) => ({ ...(s as object), kind: 'push', silence: `s-${id}` }),
  },
  {
    name: 'lift',
    send: (u, id) => fetch(`${u}/checks/${id}/silence`, { method: 'DELETE' }),
    next: (s) => ({ kind: 'push', ...(s?.report ? { report: s.report } : {}) }),
  },
  {
    name: 'replace',
    send: (u, id) => fetch(`${u}/checks`, json('POST', { id, url: dead(id) })),
    next: (_s, id) => ({ kind: 'http', url: dead(id) }),
  },
  { name: 'delete', send: (u, id) => fetch(`${u}/checks/${id}`, { method: 'DELETE' }), next: () => null },
];
const step = (name: string) => STEPS.find((s) => s.name === name) as Step;
// Checks live one of these lives, in turn: all of it (deleted at the end), or kept silenced, or kept replaced.
const LIVES: Step[][] = [
  STEPS,
  ['register', 'push report', 'silence'].map(step),
  ['register', 'push report', 'replace'].map(step),
];

/**
 * Concurrent writers of every kind against a megaphone over real sockets, each owning its own check
 * ids (so each id's writes are ordered), plus one writer toggling maintenance. It remembers what was
 * acknowledged, and what was in flight, to compare with what a restarted megaphone holds.
 */
export class WriteLoad {
  readonly checks = new Map<string, Tracked<CheckModel>>();
  readonly maintenance: Tracked<string | null> = { acked: null };
  acks = 0;
  /** Acknowledged writes by kind ("register", "maintenance on" …). */
  readonly kinds = new Map<string, number>();
  /** Answers no writer expected (a refused write while the daemon was alive). */
  readonly unexpected: string[] = [];
  private stopping = false;
  private runs: Promise<void>[] = [];

  /** Starts `writers` check writers and the maintenance writer against `url`; ids start with `prefix`. */
  start(url: string, prefix: string, writers = 8): void {
    this.stopping = false;
    this.runs = [
      ...Array.from({ length: writers }, (_, w) => this.checkWriter(url, `${prefix}-w${w}`)),
      this.maintenanceWriter(url),
    ];
  }

  /** Lets every writer finish the write it is in, then stop. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.runs);
  }

  /** Resolves once every writer has ended (after a kill, at its first failed request). */
  ended(): Promise<void> {
    return Promise.all(this.runs).then(() => undefined);
  }

  private async checkWriter(url: string, prefix: string): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      const id = `${prefix}-${n}`;
      const steps = LIVES[n % LIVES.length] as Step[];
      const tracked: Tracked<CheckModel> = { acked: null };
      this.checks.set(id, tracked);
      for (const step of steps) {
        if (this.stopping) return;
        const next = step.next(tracked.acked, id);
        if (!(await this.send(tracked, next, () => step.send(url, id), step.name, id))) return;
      }
    }
  }

  private async maintenanceWriter(url: string): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      const on = this.maintenance.acked === null;
      const reason = `m-${n}`;
      const send = () =>
        on ? fetch(`${url}/maintenance`, json('PUT', { reason })) : fetch(`${url}/maintenance`, { method: 'DELETE' });
      if (!(await this.send(this.maintenance, on ? reason : null, send, `maintenance ${on ? 'on' : 'off'}`, '')))
        return;
    }
  }

  // One write: pending while in flight, acknowledged on a 2xx. False once the daemon is gone.
  private async send<S>(
    t: Tracked<S>,
    next: S,
    request: () => Promise<Response>,
    kind: string,
    id: string,
  ): Promise<boolean> {
    t.pending = { next };
    let res: Response;
    try {
      res = await request();
      await res.arrayBuffer();
    } catch {
      return false;
    }
    if (res.status >= 300) {
      this.unexpected.push(`${kind} ${id}: ${res.status}`);
      return false;
    }
    t.acked = next;
    t.pending = undefined;
    this.acks++;
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    return true;
  }

  /**
   * What differs between `held` (read back from a megaphone) and the writes: each id and the
   * maintenance must hold what was acknowledged, or the one write in flight applied whole.
   */
  mismatches(held: { checks: Map<string, CheckModel>; maintenance: string | null }): string[] {
    const out: string[] = [];
    // Key order aside: {kind, url} is {url, kind}.
    const canon = (v: unknown) =>
      JSON.stringify(v, (_k, x: unknown) =>
        x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => p.localeCompare(q))) : x,
      );
    const same = (a: unknown, b: unknown) => canon(a) === canon(b);
    const check = <S>(what: string, t: Tracked<S>, got: S) => {
      if (same(got, t.acked) || (t.pending && same(got, t.pending.next))) return;
      out.push(`${what}: holds ${JSON.stringify(got)}, acknowledged ${JSON.stringify(t.acked)}`);
    };
    for (const [id, t] of this.checks) check(id, t, held.checks.get(id) ?? null);
    for (const id of held.checks.keys()) if (!this.checks.has(id)) out.push(`${id}: never written`);
    check('maintenance', this.maintenance, held.maintenance);
    return out;
  }

  /** Takes what a restarted megaphone holds as acknowledged (the writes in flight were, or were not, applied). */
  settle(held: { checks: Map<string, CheckModel>; maintenance: string | null }): void {
    for (const id of this.checks.keys()) this.checks.set(id, { acked: held.checks.get(id) ?? null });
    this.maintenance.acked = held.maintenance;
    this.maintenance.pending = undefined;
  }
}

interface Verbose {
  kind: string;
  status: string;
  message: string;
  silenced?: { reason: string };
}

/** What a megaphone holds, in the terms of WriteLoad: every check's kind, url, report and silence, and maintenance. */
export async function readHeld(url: string): Promise<{ checks: Map<string, CheckModel>; maintenance: string | null }> {
  const verbose = (await (await fetch(`${url}/checks?verbose=1`)).json()) as Record<string, Verbose>;
  const urls = (await (await fetch(`${url}/checks`)).json()) as Record<string, string>;
  const maintenance = (await (await fetch(`${url}/maintenance`)).json()) as { maintenance: { reason: string } | null };
  const checks = new Map<string, CheckModel>();
  for (const [id, v] of Object.entries(verbose)) {
    const silence = v.silenced ? { silence: v.silenced.reason } : {};
    if (v.kind === 'http') checks.set(id, { kind: 'http', url: urls[id] as string, ...silence });
    else {
      const report = v.status === 'Warning' ? { report: v.message } : {};
      checks.set(id, { kind: 'push', ...report, ...silence });
    }
  }
  return { checks, maintenance: maintenance.maintenance?.reason ?? null };
}
