// The Debian package's metadata: control, copyright, changelog, md5sums, and what they are computed from.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const MAINTAINER = process.env.DEB_MAINTAINER ?? 'megaphone maintainers <megaphone@localhost>';

/** DEBIAN/control. */
export function control({ version, arch, depends, installedSize }) {
  return [
    'Package: megaphone',
    `Version: ${version}`,
    `Architecture: ${arch}`,
    `Maintainer: ${MAINTAINER}`,
    `Installed-Size: ${installedSize}`,
    `Depends: ${depends.join(', ')}`,
    'Section: net',
    'Priority: optional',
    'Description: per-host health collator for load balancers and monitors',
    ' megaphone polls the health of the services on its host (HTTP, TCP, commands,',
    ' pushes, discovered processes) and serves the worst status at GET /, in the',
    ' form each reader wants: JSON, health+json, an HTTP code, a HAProxy agent,',
    ' Prometheus metrics, a Nagios plugin, a status page.',
    ' .',
    ' It runs on its own copy of Node.js, under /usr/lib/megaphone.',
    '',
  ].join('\n');
}

/** The package's shared-library dependencies, as dpkg-shlibdeps computes them for the ELF file `binary`. */
export function shlibsDepends(binary) {
  const dir = mkdtempSync(path.join(tmpdir(), 'megaphone-shlibs-'));
  try {
    mkdirSync(path.join(dir, 'debian'));
    writeFileSync(path.join(dir, 'debian', 'control'), 'Source: megaphone\n\nPackage: megaphone\nArchitecture: any\n');
    const out = execFileSync('dpkg-shlibdeps', ['-O', `-e${binary}`], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const m = /^shlibs:Depends=(.+)$/m.exec(out);
    if (!m) throw new Error(`dpkg-shlibdeps printed no shlibs:Depends for ${binary}: ${out}`);
    return m[1];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The licence of the Node binary running this script, which the package ships. */
export function nodeLicense() {
  const prefix = path.dirname(path.dirname(process.execPath));
  const candidates = ['share/doc/nodejs/LICENSE', 'share/doc/node/LICENSE', 'LICENSE'].map((f) => path.join(prefix, f));
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new Error(`the licence of ${process.execPath} must ship with it; none of ${candidates.join(', ')}`);
  return readFileSync(found, 'utf8');
}

// A DEP-5 text block: each line indented one space, blank lines as " .".
const block = (text) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => (l.trim() === '' ? ' .' : ` ${l}`))
    .join('\n');

const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE
USE OR OTHER DEALINGS IN THE SOFTWARE.`;

/** /usr/share/doc/megaphone/copyright: megaphone's licence, and the bundled Node's verbatim. */
export function copyright(nodeLicenseText) {
  return [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: megaphone',
    '',
    'Files: *',
    'Copyright: megaphone contributors',
    'License: Expat',
    '',
    'Files: usr/lib/megaphone/node_modules/*',
    'Copyright: their authors, named in each module',
    'License: various',
    ' Each module\'s licence is the LICENSE file in its folder and the "license" field of its package.json.',
    '',
    'Files: usr/lib/megaphone/dist/vendor/*',
    'Copyright: their authors, named at the head of each file',
    'License: various',
    ' Modules bundled at build (scripts/vendor-grpc.mjs): each file begins with their names, versions and licences.',
    '',
    'Files: usr/lib/megaphone/bin/node',
    `Copyright: Node.js contributors (${process.version})`,
    'License: Node.js',
    block(nodeLicenseText),
    '',
    'License: Expat',
    block(MIT),
    '',
  ].join('\n');
}

/** usr/share/doc/megaphone/changelog.gz: one entry for this version (a native package's changelog). */
export function changelog(version) {
  const date = new Date().toUTCString().replace('GMT', '+0000');
  const entry = [`megaphone (${version}) unstable; urgency=medium`, '', `  * Release ${version}.`, ''];
  const text = [...entry, ` -- ${MAINTAINER}  ${date}`, ''].join('\n');
  return gzipSync(text, { level: 9 });
}

function* files(dir, rel = '') {
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = path.join(rel, name);
    const st = lstatSync(path.join(dir, r));
    if (st.isDirectory()) yield* files(dir, r);
    else yield { rel: r, st };
  }
}

/** DEBIAN/md5sums of every file but DEBIAN's and the conffiles (dpkg keeps those apart). */
export function md5sums(stage) {
  const lines = [];
  for (const { rel, st } of files(stage)) {
    if (rel.startsWith('DEBIAN/') || rel.startsWith('etc/') || !st.isFile()) continue;
    lines.push(
      `${createHash('md5')
        .update(readFileSync(path.join(stage, rel)))
        .digest('hex')}  ${rel}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Installed-Size: KiB the files take, as dpkg-gencontrol counts (each file rounded up to 1 KiB). */
export function installedSizeKiB(stage) {
  let kib = 0;
  for (const { rel, st } of files(stage)) if (!rel.startsWith('DEBIAN/')) kib += Math.ceil(st.size / 1024) || 1;
  return kib;
}
