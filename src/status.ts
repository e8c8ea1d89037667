/** The four statuses, least to most severe (Megaphone's order). */
export const STATUSES = ['OK', 'Unknown', 'Warning', 'Critical'] as const;
export type Status = (typeof STATUSES)[number];

const SEVERITY: Record<Status, number> = { OK: 0, Unknown: 1, Warning: 2, Critical: 3 };

export function severity(status: Status): number {
  return SEVERITY[status];
}

export function worse(a: Status, b: Status): Status {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

// Status words seen in the wild (Megaphone, Nagios, OverC, Consul, health+json, Spring Boot).
const ALIASES: ReadonlyMap<string, Status> = new Map([
  ['ok', 'OK'], ['pass', 'OK'], ['passing', 'OK'], ['up', 'OK'], ['healthy', 'OK'],
  ['warning', 'Warning'], ['warn', 'Warning'],
  ['critical', 'Critical'], ['crit', 'Critical'], ['err', 'Critical'], ['error', 'Critical'],
  ['fail', 'Critical'], ['failed', 'Critical'], ['down', 'Critical'], ['out_of_service', 'Critical'],
  ['unknown', 'Unknown'], ['unk', 'Unknown'],
]);

/** Normalizes a status word (any case, any known alias); undefined when it is not one. */
export function normalizeStatus(value: unknown): Status | undefined {
  if (typeof value !== 'string') return undefined;
  return ALIASES.get(value.trim().toLowerCase());
}
