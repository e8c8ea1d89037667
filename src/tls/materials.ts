import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../lib/errors.js';
import { compileTls, isCaPath, type CheckTls, type TlsSpec } from '../checks/tls-spec.js';

/** The trust and client material of a connection. Equal keys: the same material, so connections may be shared. */
export interface TlsProfile {
  /** '' for Node's defaults (the system's CAs, no client certificate, verified). */
  key: string;
  secureContext?: SecureContext;
  rejectUnauthorized: boolean;
}

/** The parts of the config that name TLS files. */
export type TlsSources = Pick<Config, 'tls' | 'checks' | 'discovery'>;

type FileRole = 'ca' | 'cert' | 'key';

// Fails unless the file holds what its role needs, in PEM (a private key unencrypted).
function checkPem(buf: Buffer, role: FileRole): void {
  if (role === 'key') createPrivateKey(buf);
  else new X509Certificate(buf);
}

const WHAT: Record<FileRole, string> = {
  ca: 'a PEM certificate',
  cert: 'a PEM certificate',
  key: 'an unencrypted PEM private key',
};

/** Every TLS spec of the config with the key it is written under. */
function specsOf(config: TlsSources): Array<[string, TlsSpec | undefined]> {
  return [
    ...config.checks.map((c, i): [string, TlsSpec | undefined] => [`checks[${i}].tls`, c.tls]),
    ...config.discovery.rules.map((r, i): [string, TlsSpec | undefined] => [`discovery.rules[${i}].tls`, r.tls]),
  ];
}

/**
 * The TLS files of a config, read once (at start and at each reload: a changed file is picked up), and the
 * profiles built from them. Checks name them at poll time, so an API check follows a reloaded `tls.cas`.
 */
export class TlsMaterials {
  private readonly profiles = new Map<string, TlsProfile | string>();
  // The system's CAs, no client certificate, verified: one context, made when first used (not one per connection).
  private defaults: TlsProfile | undefined;
  // Each compiled check's settings are one object for its life: its profile is looked up once per load, not per poll.
  private readonly byCheck = new WeakMap<CheckTls, TlsProfile | string>();

  private constructor(
    private readonly cas: ReadonlyMap<string, string>,
    private readonly files: Map<string, Buffer>,
  ) {}

  /** Reads every file the config names and builds each check's profile. Throws ConfigError naming key and file. */
  static load(config: TlsSources, source = 'config'): TlsMaterials {
    const files = new Map<string, Buffer>();
    const checked = new Set<string>();
    const read = (file: string, role: FileRole, key: string) => {
      // A file is read once, and checked once for each role it is named in.
      if (checked.has(`${role}\0${file}`)) return;
      try {
        const buf = files.get(file) ?? readFileSync(file);
        checkPem(buf, role);
        files.set(file, buf);
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new ConfigError(`${source}: \`${key}\` ${file} is not readable as ${WHAT[role]} (${why})`);
      }
      checked.add(`${role}\0${file}`);
    };
    const cas = new Map(Object.entries(config.tls.cas));
    for (const [name, file] of cas) read(file, 'ca', `tls.cas.${name}`);
    const materials = new TlsMaterials(cas, files);
    for (const [key, spec] of specsOf(config)) {
      if (spec === undefined || spec === true) continue;
      if (spec.ca !== undefined && isCaPath(spec.ca)) read(spec.ca, 'ca', `${key}.ca`);
      if (spec.cert !== undefined) read(spec.cert, 'cert', `${key}.cert`);
      if (spec.key !== undefined) read(spec.key, 'key', `${key}.key`);
      const profile = materials.profile(compileTls(spec, false));
      if (typeof profile === 'string') throw new ConfigError(`${source}: \`${key}\` ${profile}`);
    }
    return materials;
  }

  /** The CA names of `tls.cas`. */
  caNames(): string[] {
    return [...this.cas.keys()];
  }

  /** Why a check's `tls.ca` names no CA of the config (API checks), or undefined. */
  unknownCa(tls: CheckTls | undefined): string | undefined {
    const ca = tls?.ca;
    if (!ca || !('name' in ca) || this.cas.has(ca.name)) return undefined;
    const known = this.cas.size > 0 ? `it declares ${this.caNames().join(', ')}` : 'it declares none';
    return `\`tls.ca\` names ${JSON.stringify(ca.name)}, which the config's \`tls.cas\` does not declare (${known})`;
  }

  /** The profile of a check's TLS settings, built once per load; a string says why it cannot be built. */
  profile(tls: CheckTls): TlsProfile | string {
    if (!tls.ca && !tls.cert && !tls.insecure)
      return (this.defaults ??= { key: '', secureContext: createSecureContext(), rejectUnauthorized: true });
    let p = this.byCheck.get(tls);
    if (p !== undefined) return p;
    const id = JSON.stringify([tls.ca, tls.cert, tls.key, tls.insecure]);
    p = this.profiles.get(id);
    if (p === undefined) this.profiles.set(id, (p = this.build(tls)));
    this.byCheck.set(tls, p);
    return p;
  }

  private build(tls: CheckTls): TlsProfile | string {
    const unknown = this.unknownCa(tls);
    if (unknown) return unknown;
    const caFile = tls.ca && ('file' in tls.ca ? tls.ca.file : this.cas.get(tls.ca.name));
    const parts: Array<[string, string | undefined]> = [
      ['ca', caFile],
      ['cert', tls.cert],
      ['key', tls.key],
    ];
    const bytes: Record<string, Buffer | undefined> = {};
    const hash = createHash('sha256').update(tls.insecure ? 'insecure' : 'verify');
    for (const [role, file] of parts) {
      if (file === undefined) continue;
      const buf = this.files.get(file);
      // Every file a check may name was read at load; one that was not is no file the config declares.
      if (!buf) return `\`tls.${role}\` ${file} was not read with the config`;
      bytes[role] = buf;
      hash.update(`\0${role}\0`).update(buf);
    }
    let secureContext: SecureContext | undefined;
    if (bytes.ca || bytes.cert) {
      try {
        secureContext = createSecureContext({ ca: bytes.ca, cert: bytes.cert, key: bytes.key });
      } catch (err) {
        return `cannot be used (${parts
          .map(([r, f]) => (f ? `${r} ${path.basename(f)}` : ''))
          .filter(Boolean)
          .join(', ')}): ${(err as Error).message}`;
      }
    }
    return { key: hash.digest('hex').slice(0, 32), secureContext, rejectUnauthorized: !tls.insecure };
  }
}

/** Resolves the config's relative TLS file paths against `dir` (the config file's folder), in place. */
export function resolveTlsPaths(config: TlsSources, dir: string): void {
  const abs = (p: string) => path.resolve(dir, p);
  for (const [name, file] of Object.entries(config.tls.cas)) config.tls.cas[name] = abs(file);
  for (const [, spec] of specsOf(config)) {
    if (spec === undefined || spec === true) continue;
    if (spec.ca !== undefined && isCaPath(spec.ca)) spec.ca = abs(spec.ca);
    if (spec.cert !== undefined) spec.cert = abs(spec.cert);
    if (spec.key !== undefined) spec.key = abs(spec.key);
  }
}
