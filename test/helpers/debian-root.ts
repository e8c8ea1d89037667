import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const MIRROR = 'http://deb.debian.org/debian';

/** A clean environment for commands run in the root: no variable of this machine leaks in. */
export const ROOT_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };

/**
 * A fresh Debian root (debootstrap --variant=minbase, plus `include`), unpacked into `dir`. The
 * debootstrap is cached as a tarball in ~/.cache/megaphone-debootstrap, keyed by suite, variant and
 * packages: the first run downloads (about a minute or two), later ones only unpack.
 */
export async function debianRoot(dir: string, suite: string, include: string[]): Promise<void> {
  const cache = path.join(homedir(), '.cache', 'megaphone-debootstrap');
  const key = [suite, 'minbase', ...[...include].sort()].join('-');
  const tarball = path.join(cache, `${key}.tar`);
  if (!existsSync(tarball)) {
    mkdirSync(cache, { recursive: true });
    const build = path.join(cache, `${key}.${process.pid}`);
    rmSync(build, { recursive: true, force: true });
    try {
      const args = ['--variant=minbase', `--include=${include.join(',')}`, suite, build, MIRROR];
      await exec('debootstrap', args, { maxBuffer: 64 * 1024 * 1024, timeout: 900_000 });
      await exec('tar', ['-C', build, '--numeric-owner', '-cf', `${tarball}.${process.pid}`, '.']);
      // Whole or not at all: a run killed half-way leaves no tarball behind.
      renameSync(`${tarball}.${process.pid}`, tarball);
    } finally {
      rmSync(build, { recursive: true, force: true });
      rmSync(`${tarball}.${process.pid}`, { force: true });
    }
  }
  mkdirSync(dir, { recursive: true });
  await exec('tar', ['-C', dir, '--numeric-owner', '-xf', tarball]);
}

/**
 * The argv that runs `argv` inside `root` as root would on that host: a private mount namespace
 * with /proc and /dev mounted in the root (gone when the process ends), then chroot, clean env.
 * `user` (uid:gid) runs it as that user, as systemd's User= would.
 */
export function inRoot(root: string, argv: string[], user?: string): string[] {
  const setup = `mount -t proc proc '${root}/proc' && mount --rbind /dev '${root}/dev' && exec "$@"`;
  const chroot = ['chroot', ...(user ? [`--userspec=${user}`, `--groups=${user.split(':')[1]}`] : []), root];
  const env = Object.entries(ROOT_ENV).map(([k, v]) => `${k}=${v}`);
  return [
    'unshare',
    '-m',
    '--propagation',
    'private',
    'sh',
    '-c',
    setup,
    'sh',
    ...chroot,
    'env',
    '-i',
    ...env,
    ...argv,
  ];
}
