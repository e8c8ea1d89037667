import { Resolver } from 'node:dns/promises';
import type { SrvRecord } from 'node:dns';
import type { DnsCheck } from '../checks/definition.js';
import { comparable, type DnsType } from '../checks/dns-spec.js';
import { cut } from '../lib/cut.js';
import { formatDuration } from '../lib/duration.js';
import { describeTransportError } from '../lib/transport-error.js';
import { literalRefusal } from '../security/connect-guard.js';
import { targetRefusedError, type TargetPolicy } from '../security/targets.js';
import { clipMessage, stopwatch, type Finding, type Result } from './result.js';

/** Most characters of the answer shown in a message. */
export const MAX_ANSWER_CHARS = 512;

// c-ares error codes, in the words of the DNS (RFC 1035 RCODEs) where there is one.
const REASONS: Record<string, string> = {
  ENOTFOUND: 'NXDOMAIN',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  EFORMERR: 'FORMERR',
  ENOTIMP: 'NOTIMP',
  ETIMEOUT: 'no answer in time',
  ECONNREFUSED: 'connection refused',
  EBADRESP: 'malformed answer',
  ECANCELLED: 'poll cancelled',
};

/** Asks for one record type; the answer as the message shows it (and `expect` is compared with). */
async function ask(resolver: Resolver, type: DnsType, name: string): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'CNAME':
      return resolver.resolveCname(name);
    // A TXT record is a list of strings of at most 255 bytes each: read as one text, as dig +short joins them.
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    case 'SRV':
      return (await resolver.resolveSrv(name)).map((r: SrvRecord) => `${r.priority} ${r.weight} ${r.port} ${r.name}`);
  }
}

function judge(check: DnsCheck, asked: string, answer: string[]): Finding {
  const shown = `${asked}: ${cut(answer.join(', '), MAX_ANSWER_CHARS)}`;
  if (!check.expect) return { status: 'OK', message: shown };
  const got = new Set(answer.map((v) => comparable(check.type, v)));
  const missing = check.expect.filter((v) => !got.has(v));
  if (missing.length === 0) return { status: 'OK', message: shown };
  return {
    status: 'Critical',
    message: clipMessage(`${shown}; expected but not in the answer: ${cut(missing.join(', '), MAX_ANSWER_CHARS)}`),
  };
}

function failure(check: DnsCheck, asked: string, code: string): Finding {
  const reason =
    code === 'ENODATA'
      ? `no ${check.type} record`
      : code === 'ETIMEOUT'
        ? `no answer in ${formatDuration(check.timeoutMs)}`
        : (REASONS[code] ?? 'query failed');
  const from = check.server ? ` from ${check.server.text}` : '';
  return { status: 'Critical', message: `${asked}: ${reason}${from} (${code})`, code };
}

/**
 * One resolver per dns:// check, reused by its polls (a new one per poll cost about twice the CPU per query), dropped
 * with the check. Its timeouts are the check's: a retimed check is a new check. Node's resolvers keep no answer cache
 * (test/checks-dns.test.ts holds that), and c-ares closes a resolver's idle sockets, so none stays open between polls.
 */
export class DnsResolvers {
  private readonly byCheck = new WeakMap<DnsCheck, Resolver>();

  /** The check's resolver: two tries whose timeouts (c-ares doubles the second) add up to the check's. */
  of(check: DnsCheck): Resolver {
    let resolver = this.byCheck.get(check);
    if (!resolver) {
      resolver = new Resolver({ timeout: Math.max(1, Math.floor(check.timeoutMs / 3)), tries: 2 });
      if (check.server) resolver.setServers([check.server.text]);
      this.byCheck.set(check, resolver);
    }
    return resolver;
  }
}

/**
 * Resolves a dns:// check's name with its server (or the system's) before the signal's deadline: OK with the answer,
 * Critical on NXDOMAIN, SERVFAIL, REFUSED, no record, a timeout, or an answer without every `expect` value. The
 * server is judged by `targets` before each query. Never throws.
 */
export function probeDns(
  check: DnsCheck,
  signal: AbortSignal,
  deps: { now: () => number; targets: TargetPolicy; resolvers: DnsResolvers },
): Promise<Result> {
  const { targets } = deps;
  const done = stopwatch(deps.now);
  const asked = `${check.name} ${check.type}`;
  return new Promise<Result>((resolve) => {
    let settled = false;
    let resolver: Resolver | undefined;
    const finish = (r: Finding) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(done(r));
    };
    // The deadline, as c-ares says its own: ETIMEOUT (or ECANCELLED when the poll is dropped).
    const onAbort = () => {
      resolver?.cancel();
      finish(failure(check, asked, describeTransportError(signal.reason, signal, check.timeoutMs).code));
    };
    if (signal.aborted) return onAbort();
    // The server is a network target like any other: the same rules, at every query (a reload may change them).
    const why = check.server && literalRefusal(targets, check.server.host);
    if (why) {
      const refusal = targetRefusedError(check.server?.text ?? '', why);
      return finish({
        status: 'Critical',
        message: `${asked}: ${refusal.message} (${refusal.code})`,
        code: refusal.code,
      });
    }
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      resolver = deps.resolvers.of(check);
    } catch (err) {
      return finish({ status: 'Unknown', message: `${asked}: cannot query: ${String(err)}`, code: 'EDNSSETUP' });
    }
    ask(resolver, check.type, check.name).then(
      (answer) => finish(judge(check, asked, answer)),
      (err: NodeJS.ErrnoException) => finish(failure(check, asked, err.code ?? 'EUNKNOWN')),
    );
  });
}
