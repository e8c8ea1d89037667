import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The systemd drop-in that opens other users' processes to `{port}` discovery (docs/discovery.md). */
export const DISCOVERY_DROP_IN = '/etc/systemd/system/megaphone.service.d/discovery.conf';

// linux/capability.h
const CAP_SYS_PTRACE = 19n;

/** True when this process runs in a user namespace (its uid_map is not the whole identity map). */
function inUserNamespace(procRoot: string): boolean {
  try {
    const map = readFileSync(path.join(procRoot, 'self', 'uid_map'), 'utf8')
      .trim()
      .split(/\s+/);
    return map.join(' ') !== '0 0 4294967295';
  } catch {
    return false;
  }
}

function hasCapability(procRoot: string, cap: bigint): boolean {
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync(path.join(procRoot, 'self', 'status'), 'utf8'))?.[1];
    return hex !== undefined && (BigInt(`0x${hex}`) & (1n << cap)) !== 0n;
  } catch {
    return false;
  }
}

/**
 * Why another user's /proc/PID/fd was closed to megaphone, and what opens it: said once in the
 * check's message, so an operator reading `GET /` knows the capability and the drop-in.
 */
export function deniedHint(procRoot = '/proc'): string {
  if (inUserNamespace(procRoot))
    return (
      'megaphone runs in a user namespace (systemd PrivateUsers=yes), where no capability reaches ' +
      `another user's process: ${DISCOVERY_DROP_IN} sets PrivateUsers=no and CAP_SYS_PTRACE (docs/discovery.md)`
    );
  if (!hasCapability(procRoot, CAP_SYS_PTRACE))
    return `another user's ports need CAP_SYS_PTRACE: the drop-in ${DISCOVERY_DROP_IN} grants it (docs/discovery.md)`;
  return (
    'denied even with CAP_SYS_PTRACE: Linux before 5.14 also needs CAP_DAC_READ_SEARCH, ' +
    'else a security module (AppArmor, SELinux) refuses ptrace read access'
  );
}
