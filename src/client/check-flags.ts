import type { Command } from 'commander';

/** The `checks add` flags of registration fields beyond the url, as commander gives them. */
export interface CheckFlags {
  jsonpath?: string;
  statusOverride?: string;
  latencyWarning?: string;
  latencyCritical?: string;
  thresholdWarning?: string;
  thresholdCritical?: string;
  dnsType?: string;
  dnsServer?: string;
  expect?: string[];
  grpcService?: string;
  tls?: boolean;
  tlsCa?: string;
  tlsServername?: string;
  tlsInsecure?: boolean;
  tlsExpiryWarning?: string;
  tlsExpiryCritical?: string;
}

/** Adds the registration flags to `checks add`; values are sent as typed, the daemon validates them. */
export function withCheckFlags(cmd: Command): Command {
  return cmd
    .option(
      '--jsonpath <path>',
      'where the status (or, with thresholds, the number) is in the reply ("a/b" or "$.a.b")',
    )
    .option('--status-override <status>', 'report this status whatever the poll says')
    .option('--latency-warning <duration>', 'Warning when a poll takes longer (e.g. 500ms)')
    .option('--latency-critical <duration>', 'Critical when a poll takes longer (e.g. 2s)')
    .option('--threshold-warning <range>', "Warning when the number at --jsonpath is in this Nagios range's alert zone")
    .option(
      '--threshold-critical <range>',
      "Critical when the number at --jsonpath is in this Nagios range's alert zone",
    )
    .option('--dns-type <type>', 'dns:// checks: A (default), AAAA, CNAME, TXT or SRV')
    .option('--dns-server <ip[:port]>', 'dns:// checks: the server to ask (default: the system resolver)')
    .option('--expect <value...>', 'dns:// checks: values that must all be in the answer')
    .option('--grpc-service <name>', 'grpc://: the service whose health is asked (default: the whole server)')
    .option('--tls', 'speak TLS (tcp://, grpc://; https:// and tls:// always do)')
    .option('--tls-ca <name>', "trust this CA instead of the system's: a name of the daemon config's tls.cas")
    .option('--tls-servername <name>', 'SNI, and the name the certificate must carry (default: the host)')
    .option('--tls-insecure', "do not verify the certificate (shown in the check's state)")
    .option('--tls-expiry-warning <duration>', 'Warning when the certificate has less than this left (e.g. 14d)')
    .option('--tls-expiry-critical <duration>', 'Critical when the certificate has less than this left (e.g. 3d)');
}

/** Keeps the defined entries only: a flag not given is a field not sent. */
function defined(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The registration's `tls` the flags make (undefined when none is given): its options, or `true` for --tls alone. */
function tlsOf(f: CheckFlags): true | Record<string, unknown> | undefined {
  const expiry = defined({ warning: f.tlsExpiryWarning, critical: f.tlsExpiryCritical });
  const options = defined({ ca: f.tlsCa, servername: f.tlsServername, insecure: f.tlsInsecure, expiry });
  return options ?? (f.tls ? true : undefined);
}

/** The registration `checks add` sends: the url as a string, or the url object when a url field is given. */
export function registrationOf(id: string, url: string, f: CheckFlags): Record<string, unknown> {
  const thresholds = defined({ warning: f.thresholdWarning, critical: f.thresholdCritical });
  const fields = defined({
    jsonpath: f.jsonpath,
    statusoverride: f.statusOverride,
    thresholds,
    type: f.dnsType,
    server: f.dnsServer,
    expect: f.expect,
    service: f.grpcService,
  });
  const latency = defined({ warning: f.latencyWarning, critical: f.latencyCritical });
  const tls = tlsOf(f);
  return {
    id,
    url: fields ? { addr: url, ...fields } : url,
    ...(latency ? { latency } : {}),
    ...(tls !== undefined ? { tls } : {}),
  };
}
