import net from 'node:net';
import tls, { type SecureContext, type TLSSocket } from 'node:tls';
import type { LookupAddress, LookupOneOptions, LookupAllOptions } from 'node:dns';
import { Agent, buildConnector } from 'undici';
import { addressRefusal, allowedAddresses, targetRefusedError, type TargetPolicy } from './targets.js';
import { normalizeAddress } from './addresses.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for net.connect / undici that resolves all addresses and drops refused ones. */
export function guardedLookup(policy: TargetPolicy) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    allowedAddresses(policy, hostname).then(
      (ok) => {
        if (options.all) callback(null, ok as LookupAddress[]);
        else callback(null, (ok[0] as LookupAddress).address, (ok[0] as LookupAddress).family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

/**
 * Why a literal host may not be connected to, or undefined. Needed beside `guardedLookup`
 * because Node never calls `lookup` for IP literals.
 */
export function literalRefusal(policy: TargetPolicy, hostname: string): string | undefined {
  return normalizeAddress(hostname) ? addressRefusal(policy, hostname) : undefined;
}

/** Where a TLS connection of a pool went: the key its peer certificate is kept under. */
export interface TlsPeer {
  hostname: string;
  port: string;
  servername: string;
}

/** TLS settings of a pool (one per set of trust and client material), and who is told of each new connection. */
export interface GuardedTls {
  /** CA, client certificate and key; default Node's (the system's CAs, no client certificate). */
  secureContext?: SecureContext;
  /** False skips verification (`tls.insecure`); default true. */
  rejectUnauthorized?: boolean;
  /** Told of every TLS connection once its handshake is done (to read the peer certificate). */
  onSecureConnect?: (socket: TLSSocket, peer: TlsPeer) => void;
}

export interface GuardedAgentOptions extends Omit<Agent.Options, 'connect'> {
  /** Connect timeout in ms. */
  connectTimeout?: number;
  secure?: GuardedTls;
}

/** An undici Agent that refuses to connect anywhere the policy does not allow (literals and resolved names). */
export function createGuardedAgent(policy: TargetPolicy, opts: GuardedAgentOptions = {}): Agent {
  const { connectTimeout, secure: tlsOptions = {}, ...agentOptions } = opts;
  const { onSecureConnect, ...secure } = tlsOptions;
  const base = buildConnector({
    timeout: connectTimeout ?? 10_000,
    lookup: guardedLookup(policy),
    ...secure,
  } as buildConnector.BuildOptions);
  const connect: buildConnector.connector = (options, callback) => {
    const why = literalRefusal(policy, options.hostname);
    if (why) {
      callback(targetRefusedError(options.hostname, why), null);
      return;
    }
    if (!onSecureConnect || options.protocol !== 'https:') return void base(options, callback);
    base(options, (err, socket) => {
      if (!err && socket) {
        const peer = { hostname: options.hostname, port: options.port, servername: options.servername ?? '' };
        onSecureConnect(socket as TLSSocket, peer);
      }
      callback(err as Error, socket as never);
    });
  };
  return new Agent({ ...agentOptions, connect });
}

/**
 * net.connect for raw TCP (tcp:// checks, agents): refuses literals outside the policy and
 * resolves names through `guardedLookup`. A refusal arrives as the socket's 'error' event.
 */
export function connectGuarded(policy: TargetPolicy, opts: { host: string; port: number }): net.Socket;
/** The same, then a TLS handshake (`options`: SNI, CA, client certificate, verification). */
export function connectGuarded(
  policy: TargetPolicy,
  opts: { host: string; port: number },
  options: tls.ConnectionOptions,
): TLSSocket;
export function connectGuarded(
  policy: TargetPolicy,
  opts: { host: string; port: number },
  options?: tls.ConnectionOptions,
): net.Socket {
  const why = literalRefusal(policy, opts.host);
  if (why) {
    const socket = options ? new tls.TLSSocket(new net.Socket()) : new net.Socket();
    process.nextTick(() => socket.destroy(targetRefusedError(opts.host, why)));
    return socket;
  }
  const host = opts.host.startsWith('[') && opts.host.endsWith(']') ? opts.host.slice(1, -1) : opts.host;
  const where = { host, port: opts.port, lookup: guardedLookup(policy) as net.LookupFunction };
  return options ? tls.connect({ ...options, ...where }) : net.connect(where);
}
