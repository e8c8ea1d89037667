import { isIP } from 'node:net';
import { z } from 'zod';
import { durationSchema, formatDuration } from '../lib/duration.js';
import { badRequest } from '../lib/errors.js';
import { safeRecord } from '../lib/safe-record.js';

/** A CA's name in the config's `tls.cas`; a `tls.ca` with a `/` in it is a file path instead. */
export const CA_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_PATH = 4096;
/** Longest `tls.expiry` threshold: 10 years. */
export const MAX_EXPIRY_MS = 3650 * 86_400_000;

/** Is this `tls.ca` a file path (config only) rather than a name of `tls.cas`? */
export const isCaPath = (ca: string): boolean => ca.includes('/');

const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;
/** A PEM file's path (config only). */
export const tlsFileSchema = z
  .string()
  .min(1)
  .max(MAX_PATH)
  .regex(/^[^\0]*$/, { message: 'must not contain NUL' });

const expirySchema = z
  .strictObject({
    /** Warning once the certificate has less than this left. */
    warning: durationSchema({ min: 1, max: MAX_EXPIRY_MS }).optional(),
    /** Critical once the certificate has less than this left. */
    critical: durationSchema({ min: 1, max: MAX_EXPIRY_MS }).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.warning === undefined && e.critical === undefined)
      ctx.addIssue({ code: 'custom', message: 'needs `warning`, `critical` or both', params: { omitValue: true } });
    if (e.warning !== undefined && e.critical !== undefined && e.warning <= e.critical)
      ctx.addIssue({
        code: 'custom',
        path: ['warning'],
        message: `must be longer than \`critical\` (${formatDuration(e.critical)}): Warning comes before Critical`,
      });
  });

const tlsOptionsSchema = z
  .strictObject({
    /** The CA to trust instead of the system's: a name of the config's `tls.cas`, or (config only) a PEM file. */
    ca: z
      .string()
      .min(1)
      .max(MAX_PATH)
      .refine((v) => isCaPath(v) || CA_NAME.test(v), {
        message:
          'must name a CA of the config\'s `tls.cas` (letters, digits, ".", "_", "-") or be a PEM file path with a /',
      })
      .optional(),
    /** SNI and the name the certificate must carry; default the URL's host name. */
    servername: z
      .string()
      .refine((v) => DNS_NAME.test(v) && isIP(v) === 0, { message: 'must be a DNS name (SNI carries no IP address)' })
      .optional(),
    /** Client certificate (PEM file, config only), with `key`. */
    cert: tlsFileSchema.optional(),
    /** The client certificate's private key (PEM file, unencrypted, config only). */
    key: tlsFileSchema.optional(),
    /** Skip verification of the server's certificate; default false. */
    insecure: z.boolean().optional(),
    /** Thresholds on the time the peer certificate has left. */
    expiry: expirySchema.optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.cert === undefined) !== (t.key === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [t.cert === undefined ? 'key' : 'cert'],
        message: 'needs `tls.cert` and `tls.key` together (a client certificate and its key)',
      });
    if (t.insecure === true && t.ca !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['insecure'],
        message: 'skips verification: `tls.ca` would never be used; set one or the other',
      });
  });

/** A check's `tls`: `true` (TLS with the system's CAs) or its options. Turns TLS on for tcp:// and grpc://. */
export const tlsSpecSchema = z.union([tlsOptionsSchema, z.literal(true)]);
export type TlsSpec = z.output<typeof tlsSpecSchema>;

/** The config's top-level `tls`: CAs named for API checks (which may not name files). */
export const tlsConfigSchema = z.strictObject({
  /** Name → PEM file of a CA; API checks say `tls: {ca: "<name>"}`. Default none. */
  cas: safeRecord(
    z.string().regex(CA_NAME, { message: 'must be 1-64 letters, digits, ".", "_" or "-"' }),
    tlsFileSchema,
    256,
  ).default({}),
});

/** A check's TLS settings, compiled. Present on every check that speaks TLS. */
export interface CheckTls {
  /** The CA to trust: one the config names, or a file. Absent: the system's CAs. */
  ca?: { name: string } | { file: string };
  /** Client certificate and key files. */
  cert?: string;
  key?: string;
  servername?: string;
  insecure: boolean;
  expiry?: { warningMs?: number; criticalMs?: number };
}

/** TLS with nothing set: the system's CAs, the URL's host name. */
export const DEFAULT_TLS: CheckTls = Object.freeze({ insecure: false });

/**
 * Compiles a check's `tls`. File paths come only from the config file: an API check names a CA of `tls.cas`
 * (400 E_TLS_PATH_OVER_HTTP otherwise).
 */
export function compileTls(spec: TlsSpec | undefined, fromApi: boolean): CheckTls {
  if (spec === undefined || spec === true) return DEFAULT_TLS;
  if (fromApi) {
    const field = spec.ca !== undefined && isCaPath(spec.ca) ? 'ca' : spec.cert !== undefined ? 'cert' : undefined;
    if (field)
      throw badRequest(
        `\`tls.${field}\` names a file, which only the config file may do: over the API, \`tls.ca\` names a CA ` +
          "declared in the config's `tls.cas`, and client certificates are config-only",
        'E_TLS_PATH_OVER_HTTP',
      );
  }
  const out: CheckTls = { insecure: spec.insecure === true };
  if (spec.ca !== undefined) out.ca = isCaPath(spec.ca) ? { file: spec.ca } : { name: spec.ca };
  if (spec.cert !== undefined && spec.key !== undefined) Object.assign(out, { cert: spec.cert, key: spec.key });
  if (spec.servername !== undefined) out.servername = spec.servername;
  if (spec.expiry) out.expiry = { warningMs: spec.expiry.warning, criticalMs: spec.expiry.critical };
  return out;
}

/** How GET /checks/:id/state shows a check's TLS settings: names and paths, never what the files hold. */
export interface TlsView {
  ca?: string;
  servername?: string;
  cert?: string;
  key?: string;
  insecure: boolean;
  expiry?: { warning?: string; critical?: string };
}

export function tlsView(tls: CheckTls): TlsView {
  const view = {} as TlsView;
  if (tls.ca) view.ca = 'name' in tls.ca ? tls.ca.name : tls.ca.file;
  if (tls.servername !== undefined) view.servername = tls.servername;
  if (tls.cert !== undefined) Object.assign(view, { cert: tls.cert, key: tls.key });
  view.insecure = tls.insecure;
  if (tls.expiry) {
    const { warningMs, criticalMs } = tls.expiry;
    view.expiry = {};
    if (warningMs !== undefined) view.expiry.warning = formatDuration(warningMs);
    if (criticalMs !== undefined) view.expiry.critical = formatDuration(criticalMs);
  }
  return view;
}
