import type { Socket } from 'node:net';
import { PIPELINING_COOLDOWN_MAX_MS, PIPELINING_COOLDOWN_MS, type Budgets } from './budgets.js';
import { clientKey } from './client-key.js';
import { Cooldowns } from './cooldown.js';
import { closeQuietly } from './close-quietly.js';
import { REFUSAL_REASONS, refusalError, type BudgetError, type RefusalReason } from './refusals.js';

/** What holds a connection open on a client's behalf; `hold` and `stream` are one per socket at most. */
export const HOLDER_KINDS = ['hold', 'stream', 'agent', 'body'] as const;
export type HolderKind = (typeof HOLDER_KINDS)[number];

export type Admitted = { ok: true; release(): void };
export type Refused = { ok: false; error: BudgetError };

interface Client {
  key: string;
  sockets: number;
  held: number;
  /** Its sockets with nothing in flight and nothing held, least recently busy first: what eviction takes. */
  idle: Set<Socket>;
}

interface Holder {
  kind: HolderKind;
  lost: () => void;
  done: boolean;
}

interface Tracked {
  client: Client;
  /** Requests in flight on the socket. */
  busy: number;
  holders: Set<Holder> | undefined;
  /** Held requests and streams on it (0 or 1). */
  exclusive: number;
  /** Requests in flight on it that may be held (0 or 1): nothing may follow them. */
  reserved: number;
  gone: boolean;
}

const noop = () => undefined;

/**
 * The one admission module (STYLE 15): every socket of the API and the agent, and every long-lived
 * holder on one, counted per client (clientKey) and in all against the Budgets. A holder's slot is
 * given back by `release()` or when its socket closes, whatever its response is doing. A new
 * socket beyond a socket budget closes an idle one (its client's, or the heaviest client's) rather
 * than being refused, so the load balancers' plain requests always get in.
 */
export class Admission {
  private readonly clients = new Map<string, Client>();
  private readonly tracked = new WeakMap<Socket, Tracked>();
  private open = 0;
  private heldNow = 0;
  private readonly kinds = new Map<HolderKind, number>(HOLDER_KINDS.map((k) => [k, 0]));
  private readonly refusals = new Map<RefusalReason, number>(REFUSAL_REASONS.map((r) => [r, 0]));
  private evictions = 0;

  private readonly cooling: Cooldowns;

  constructor(
    private budgets: Budgets,
    now?: () => number,
  ) {
    this.cooling = new Cooldowns(PIPELINING_COOLDOWN_MS, PIPELINING_COOLDOWN_MAX_MS, now);
  }

  /** Applies new budgets (a reload); what is held already stays. */
  configure(budgets: Budgets): void {
    this.budgets = budgets;
  }

  /** The budgets in force. */
  get current(): Budgets {
    return this.budgets;
  }

  /** A new socket (API or agent): counted, closing an idle one to make room if needed; false when refused (closed). */
  admitSocket(socket: Socket): boolean {
    const client = this.clientOf(clientKey(socket.remoteAddress));
    if (this.cooling.active(client.key)) return this.refuseSocket(socket, client, 'cooldown');
    if (client.sockets >= this.budgets.connectionsPerClient && !this.evictIdle(client))
      return this.refuseSocket(socket, client, 'client_sockets');
    if (this.open >= this.budgets.connections && !this.evictHeaviest())
      return this.refuseSocket(socket, client, 'sockets');
    this.track(socket, client);
    return true;
  }

  /**
   * A request starts on `socket`: returns the function that ends it (its response closed). A socket
   * carries nothing behind a request that may be held (`mayHold`: a blocking query, a stream) while
   * that one is in flight (HTTP/1.1 answers in order: it could only wait, and pipelined requests
   * would pile up): it is closed instead, undefined is returned, and its client may not connect for
   * a while (PIPELINING_COOLDOWN_MS, doubling: a flood costs a read of requests each time).
   */
  begin(socket: Socket, mayHold = false): (() => void) | undefined {
    const s = this.live(socket);
    if (!s) return undefined;
    if (s.exclusive > 0 || s.reserved > 0) {
      this.refuse('pipelined', socket, s.client.key);
      return undefined;
    }
    s.busy++;
    if (mayHold) s.reserved++;
    s.client.idle.delete(socket);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      s.busy--;
      if (mayHold) s.reserved--;
      this.idleIfFree(socket, s);
    };
  }

  /**
   * A slot for a long-lived holder on `socket`, or the error to answer with. The newest holder is
   * the one refused. `lost` runs when the socket closes while the slot is held.
   */
  take(socket: Socket, kind: HolderKind, lost: () => void = noop): Admitted | Refused {
    const s = this.live(socket);
    if (!s) return { ok: false, error: refusalError('held_total', this.budgets, '?') };
    const exclusive = kind === 'hold' || kind === 'stream';
    const b = this.budgets;
    if (exclusive && s.exclusive > 0) return this.refuse('pipelined', socket, s.client.key);
    if (kind === 'stream' && (this.kinds.get('stream') ?? 0) >= b.streams) return this.refuse('streams');
    if (s.client.held >= b.heldPerClient) return this.refuse('client_held', undefined, s.client.key);
    if (this.heldNow >= b.heldTotal) return this.refuse('held_total');
    const holder: Holder = { kind, lost, done: false };
    (s.holders ??= new Set()).add(holder);
    s.client.held++;
    this.heldNow++;
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    if (exclusive) s.exclusive++;
    s.client.idle.delete(socket);
    return {
      ok: true,
      release: () => {
        if (this.unhold(s, holder)) this.idleIfFree(socket, s);
      },
    };
  }

  /** What is open, held and refused now, for /metrics. */
  stats(): {
    sockets: number;
    clients: number;
    held: ReadonlyMap<HolderKind, number>;
    refused: ReadonlyMap<RefusalReason, number>;
    evicted: number;
  } {
    return {
      sockets: this.open,
      clients: this.clients.size,
      held: this.kinds,
      refused: this.refusals,
      evicted: this.evictions,
    };
  }

  private clientOf(key: string): Client {
    let c = this.clients.get(key);
    if (!c) this.clients.set(key, (c = { key, sockets: 0, held: 0, idle: new Set() }));
    return c;
  }

  // A socket not seen connecting (a test server's) is counted from its first request on.
  private live(socket: Socket): Tracked | undefined {
    if (socket.destroyed) return undefined;
    const s = this.tracked.get(socket) ?? this.track(socket, this.clientOf(clientKey(socket.remoteAddress)));
    return s.gone ? undefined : s;
  }

  private track(socket: Socket, client: Client): Tracked {
    const s: Tracked = { client, busy: 0, holders: undefined, exclusive: 0, reserved: 0, gone: false };
    this.tracked.set(socket, s);
    client.sockets++;
    this.open++;
    client.idle.add(socket);
    socket.once('close', () => this.drop(socket, s));
    return s;
  }

  // Counted out at once (not at 'close', a turn later): a flood of new sockets must see the room it made.
  private drop(socket: Socket, s: Tracked): void {
    if (s.gone) return;
    s.gone = true;
    s.client.sockets--;
    this.open--;
    s.client.idle.delete(socket);
    for (const h of s.holders ?? []) {
      this.unhold(s, h);
      h.lost();
    }
    this.forgetIfEmpty(s.client);
  }

  private unhold(s: Tracked, h: Holder): boolean {
    if (h.done) return false;
    h.done = true;
    s.holders?.delete(h);
    s.client.held--;
    this.heldNow--;
    this.kinds.set(h.kind, (this.kinds.get(h.kind) ?? 1) - 1);
    if (h.kind === 'hold' || h.kind === 'stream') s.exclusive--;
    this.forgetIfEmpty(s.client);
    return true;
  }

  private idleIfFree(socket: Socket, s: Tracked): void {
    if (!s.gone && s.busy === 0 && (s.holders?.size ?? 0) === 0) s.client.idle.add(socket);
  }

  private forgetIfEmpty(c: Client): void {
    if (c.sockets <= 0 && c.held <= 0) this.clients.delete(c.key);
  }

  private evictIdle(client: Client): boolean {
    const victim = client.idle.values().next().value;
    if (victim === undefined) return false;
    const s = this.tracked.get(victim);
    if (s) this.drop(victim, s);
    victim.destroy();
    this.evictions++;
    return true;
  }

  // The client with the most sockets gives up its least recently busy idle one.
  private evictHeaviest(): boolean {
    let heaviest: Client | undefined;
    for (const c of this.clients.values()) {
      if (c.idle.size > 0 && (!heaviest || c.sockets > heaviest.sockets)) heaviest = c;
    }
    return heaviest !== undefined && this.evictIdle(heaviest);
  }

  private refuseSocket(socket: Socket, client: Client, reason: RefusalReason): false {
    this.count(reason);
    socket.destroy();
    this.forgetIfEmpty(client);
    return false;
  }

  // The error is built only when read: a socket closed for pipelining answers nothing.
  private refuse(reason: RefusalReason, close?: Socket, key = '?'): Refused {
    this.count(reason);
    if (close) closeQuietly(close);
    if (reason === 'pipelined') this.cooling.start(key);
    const budgets = this.budgets;
    return {
      ok: false,
      get error() {
        return refusalError(reason, budgets, key);
      },
    };
  }

  private count(reason: RefusalReason): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
  }
}
