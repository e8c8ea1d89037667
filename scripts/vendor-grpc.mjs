// @grpc/grpc-js bundled into dist/vendor/grpc-js.cjs at build, so installing megaphone installs none of its
// dependencies: one of them (@grpc/proto-loader's protobufjs) has a postinstall script, which `npm install -g` would
// run (and warn about). The probe loads the bundle on the first gRPC poll (src/probes/grpc-channels.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the bundle goes, relative to dist/. */
export const VENDORED = 'vendor/grpc-js.cjs';

// The packages the bundle holds, whose licences it carries at its head.
const PACKAGES = ['@grpc/grpc-js', '@js-sdsl/ordered-map'];

function licences(require) {
  return PACKAGES.map((name) => {
    const dir = path.dirname(require.resolve(`${name}/package.json`));
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const text = readFileSync(path.join(dir, 'LICENSE'), 'utf8').replaceAll('*/', '* /');
    return `${name} ${pkg.version} (${pkg.license}):\n\n${text.trim()}`;
  });
}

/** Writes `<dist>/vendor/grpc-js.cjs`: grpc-js and its run-time dependencies, one CommonJS file. */
export async function vendorGrpc(dist, root = ROOT) {
  const require = createRequire(path.join(root, 'package.json'));
  const out = path.join(dist, VENDORED);
  mkdirSync(path.dirname(out), { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: [require.resolve('@grpc/grpc-js')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Loaded only by channelz and ORCA, which megaphone turns off or never uses: their .proto loader is left out.
    external: ['@grpc/proto-loader'],
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  });
  const head = `/*\nBundled by megaphone's scripts/vendor-grpc.mjs from:\n\n${licences(require).join('\n\n')}\n*/\n`;
  writeFileSync(out, head + (result.outputFiles[0]?.text ?? ''));
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  // node scripts/vendor-grpc.mjs [DIST]: DIST defaults to this checkout's dist/.
  await vendorGrpc(path.resolve(process.argv[2] ?? path.join(ROOT, 'dist')));
}
