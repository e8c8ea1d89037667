import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './app.js';

/** A certificate and its key, as PEM files in the test's folder and as text. */
export interface Issued {
  cert: string;
  key: string;
  certPem: string;
  keyPem: string;
  subject: string;
}

/** A test CA in a temp folder, issuing server and client certificates with `openssl` (node:crypto cannot sign). */
export interface TestCa extends Issued {
  dir: string;
  /** A server certificate for `names` (DNS names and IP addresses), valid for `days`. */
  server(cn: string, opts?: { names?: string[]; days?: number }): Issued;
  /** A client certificate (extendedKeyUsage clientAuth). */
  client(cn: string): Issued;
  /** A self-signed server certificate for `names`, signed by no CA. */
  selfSigned(cn: string, names?: string[]): Issued;
  remove(): void;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
const san = (names: string[]) =>
  `subjectAltName=${names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')}`;

/** Creates a CA ("megaphone test CA") valid 30 days, in a fresh temp folder. */
export function createTestCa(): TestCa {
  const dir = tempDir('megaphone-certs-');
  let serial = 1;
  const files = (name: string) => ({ cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) });
  const read = (f: { cert: string; key: string }, cn: string): Issued => ({
    ...f,
    certPem: readFileSync(f.cert, 'utf8'),
    keyPem: readFileSync(f.key, 'utf8'),
    subject: `CN=${cn}`,
  });
  const ca = files('ca');
  openssl(
    ['req', '-x509', ...EC, '-keyout', ca.key, '-out', ca.cert, '-days', '30', '-subj', '/CN=megaphone test CA'].concat(
      ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ),
    dir,
  );
  const issue = (name: string, cn: string, ext: string[], days: number): Issued => {
    const f = files(name);
    const csr = path.join(dir, `${name}.csr`);
    const extFile = path.join(dir, `${name}.ext`);
    writeFileSync(extFile, `${ext.join('\n')}\n`);
    openssl(['req', ...EC, '-keyout', f.key, '-out', csr, '-subj', `/CN=${cn}`], dir);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        ca.cert,
        '-CAkey',
        ca.key,
        '-set_serial',
        String(serial++),
        '-out',
        f.cert,
      ].concat(['-days', String(days), '-extfile', extFile]),
      dir,
    );
    return read(f, cn);
  };
  return {
    ...read(ca, 'megaphone test CA'),
    dir,
    server: (cn, opts = {}) =>
      issue(`server-${serial}`, cn, [san(opts.names ?? [cn]), 'extendedKeyUsage=serverAuth'], opts.days ?? 30),
    client: (cn) => issue(`client-${serial}`, cn, ['extendedKeyUsage=clientAuth'], 30),
    selfSigned(cn, names = [cn]) {
      const f = files(`self-${serial++}`);
      openssl(
        [
          'req',
          '-x509',
          ...EC,
          '-keyout',
          f.key,
          '-out',
          f.cert,
          '-days',
          '30',
          '-subj',
          `/CN=${cn}`,
          '-addext',
        ].concat([san(names)]),
        dir,
      );
      return read(f, cn);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
