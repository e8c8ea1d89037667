// npm run package: dist-pkg/megaphone_<version>_<arch>.deb, built with dpkg-deb, runs on a Debian 12 host without Node.
// The runtime is a private copy of the Node binary running this script, not a single executable application:
// dist/ ships as built (its worker-thread file, its lazily imported modules, grpc-js bundled as `npm run build` does).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nodeFlags, ROOT } from '../../scripts/runtime.mjs';
import { vendorGrpc } from '../../scripts/vendor-grpc.mjs';
import { prune } from './prune.mjs';
import { control, copyright, changelog, md5sums, installedSizeKiB, nodeLicense, shlibsDepends } from './meta.mjs';

/** Where the package installs the app, its runtime and its launcher. */
export const APP = '/usr/lib/megaphone';
export const LAUNCHER = '/usr/bin/megaphone';
const OUT = path.join(ROOT, 'dist-pkg');
const HERE = path.join(ROOT, 'packaging', 'deb');

// An outer `npm run` exports npm_* variables (prefix, lifecycle) that would steer the inner npm ci.
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

function run(file, args, cwd = ROOT) {
  return execFileSync(file, args, { cwd, env: cleanEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Throws unless this Node meets package.json's engines range (">=X.Y.Z"). */
function checkNode(range) {
  const want = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(range ?? '');
  if (!want) throw new Error(`package.json engines.node must be ">=X.Y.Z", got ${JSON.stringify(range)}`);
  const have = process.versions.node.split('.').map(Number);
  const need = want.slice(1).map(Number);
  const cmp = have[0] - need[0] || have[1] - need[1] || have[2] - need[2];
  if (cmp < 0) throw new Error(`the bundled Node would be ${process.version}; megaphone needs ${range}`);
}

/** The launcher: the private Node with the one set of runtime flags (package.json megaphone.nodeFlags). */
function launcher(flags) {
  return [
    '#!/bin/sh',
    '# megaphone on its private Node runtime; the flags are package.json megaphone.nodeFlags.',
    `exec ${APP}/bin/node ${[...flags, `${APP}/dist/cli.js`].join(' ')} "$@"`,
    '',
  ].join('\n');
}

function put(stage, to, { from, text, mode = 0o644 }) {
  const file = path.join(stage, to);
  mkdirSync(path.dirname(file), { recursive: true });
  if (from) copyFileSync(from, file);
  else writeFileSync(file, text);
  chmodSync(file, mode);
}

/** Stages the package's files under `stage` and returns the path of the .deb built from them. */
export async function buildDeb(outDir = OUT) {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  checkNode(pkg.engines?.node);
  const arch = run('dpkg', ['--print-architecture']).trim();
  const stage = path.join(outDir, 'stage');
  rmSync(stage, { recursive: true, force: true });
  const app = path.join(stage, APP.slice(1));

  // The app: dist/ compiled here (the checkout's dist/ is left alone), without source maps.
  // No shebang there: the launcher runs dist/cli.js with the private Node.
  const tsc = path.join(ROOT, 'node_modules', '.bin', 'tsc');
  run(tsc, ['-p', 'tsconfig.json', '--outDir', path.join(app, 'dist'), '--sourceMap', 'false']);
  await vendorGrpc(path.join(app, 'dist'));
  for (const f of ['package.json', 'package-lock.json'])
    put(stage, `${APP}/${f}`.slice(1), { from: path.join(ROOT, f) });
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], app);
  rmSync(path.join(app, 'package-lock.json'));
  prune(path.join(app, 'node_modules'));

  // The runtime: this Node, stripped as dh_strip would, with its licence.
  put(stage, `${APP}/bin/node`.slice(1), { from: process.execPath, mode: 0o755 });
  run('strip', ['--strip-unneeded', '--remove-section=.comment', path.join(app, 'bin', 'node')]);

  put(stage, LAUNCHER.slice(1), { text: launcher(nodeFlags()), mode: 0o755 });
  put(stage, 'lib/systemd/system/megaphone.service', { from: path.join(ROOT, 'systemd', 'megaphone.service') });
  put(stage, 'usr/share/megaphone/discovery.conf', { from: path.join(ROOT, 'systemd', 'discovery.conf') });
  put(stage, 'etc/megaphone/megaphone.conf.json', { from: path.join(ROOT, 'examples', 'megaphone.conf.json') });
  put(stage, 'usr/share/doc/megaphone/copyright', { text: copyright(nodeLicense()) });
  put(stage, 'usr/share/doc/megaphone/changelog.gz', { text: changelog(pkg.version) });

  // procps: the unit's ExecReload runs /bin/kill.
  const depends = ['adduser', 'init-system-helpers (>= 1.54~)', 'procps', shlibsDepends(path.join(app, 'bin', 'node'))];
  const fields = { version: pkg.version, arch, depends, installedSize: installedSizeKiB(stage) };
  put(stage, 'DEBIAN/control', { text: control(fields) });
  put(stage, 'DEBIAN/conffiles', { text: '/etc/megaphone/megaphone.conf.json\n' });
  put(stage, 'DEBIAN/md5sums', { text: md5sums(stage) });
  for (const script of ['postinst', 'prerm', 'postrm'])
    put(stage, `DEBIAN/${script}`, { from: path.join(HERE, script), mode: 0o755 });

  const deb = path.join(outDir, `megaphone_${pkg.version}_${arch}.deb`);
  // gzip: xz saves ~10 MB of ~35 but costs ~40 s of CPU on every build (and in every CI run).
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', stage, deb]);
  rmSync(stage, { recursive: true, force: true });
  return deb;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(HERE, 'build.mjs')) {
  console.log(await buildDeb(process.argv[2] ? path.resolve(process.argv[2]) : OUT));
}
