import type { TLSSocket } from 'node:tls';
import type { Dispatcher } from 'undici';
import type { GuardedTls, TlsPeer } from '../security/connect-guard.js';
import { readSocketCert, type CertReading } from './peer.js';
import type { TlsProfile } from './materials.js';
import { Shared } from '../lib/shared.js';

const keyOf = (hostname: string, port: string, servername: string) => `${hostname}|${port}|${servername}`;

/**
 * The peer certificates of a pool's open TLS connections, by where they go (host, port, SNI): read once per
 * connection, when its handshake is done, and dropped when it closes. A poll reads the entry of its origin: with
 * keep-alive that is the connection it used (or, behind a balancer, the newest one to the same name).
 */
export class PeerCerts {
  private readonly open = new Map<string, { socket: TLSSocket; cert: CertReading | undefined }>();

  /** What a pool's connector calls for each new TLS connection. */
  readonly observe = (socket: TLSSocket, peer: TlsPeer): void => {
    const key = keyOf(peer.hostname, peer.port, peer.servername);
    this.open.set(key, { socket, cert: readSocketCert(socket) });
    socket.once('close', () => {
      if (this.open.get(key)?.socket === socket) this.open.delete(key);
    });
  };

  /** The certificate of the open connection to `origin` with SNI `servername`, if any. */
  get(origin: URL, servername: string): CertReading | undefined {
    return this.open.get(keyOf(origin.hostname, origin.port, servername))?.cert;
  }

  get size(): number {
    return this.open.size;
  }
}

/** A keep-alive pool and the certificates of its connections. */
export interface CertPool {
  dispatcher: Dispatcher;
  certs: PeerCerts;
}

/**
 * One keep-alive pool per TLS profile (CA, client certificate, verification): checks with different trust never
 * share a connection. A pool lives while a check uses it; checks with the default profile use the main pool.
 */
export class TlsPools {
  private readonly pools = new Shared<CertPool>((p) => void p.dispatcher.close().catch(() => undefined));

  constructor(private readonly make: (tls: GuardedTls) => Dispatcher) {}

  /** The pool for a check's profile, taken for that check (a previous profile's pool is released). */
  for(checkId: string, profile: TlsProfile): CertPool {
    return this.pools.take(checkId, profile.key, () => {
      const certs = new PeerCerts();
      const { secureContext, rejectUnauthorized } = profile;
      return { dispatcher: this.make({ secureContext, rejectUnauthorized, onSecureConnect: certs.observe }), certs };
    });
  }

  /** The check no longer needs its pool: the last user closes it. */
  release(checkId: string): void {
    this.pools.release(checkId);
  }

  /** Drops every pool (after `targets` changed: open connections were judged by the old rules). */
  refresh(): void {
    for (const p of this.pools.clear()) void p.dispatcher.close().catch(() => undefined);
  }

  /** How many profile pools are open (tests, metrics). */
  get size(): number {
    return this.pools.size;
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.clear().map((p) => p.dispatcher.destroy().catch(() => undefined)));
  }
}
