import { z } from 'zod';

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
  ['ok', 'OK'],
  ['pass', 'OK'],
  ['passing', 'OK'],
  ['up', 'OK'],
  ['healthy', 'OK'],
  ['warning', 'Warning'],
  ['warn', 'Warning'],
  ['critical', 'Critical'],
  ['crit', 'Critical'],
  ['err', 'Critical'],
  ['error', 'Critical'],
  ['fail', 'Critical'],
  ['failed', 'Critical'],
  ['down', 'Critical'],
  ['out_of_service', 'Critical'],
  ['unknown', 'Unknown'],
  ['unk', 'Unknown'],
]);

/** Normalizes a status word (any case, any known alias); undefined when it is not one. */
export function normalizeStatus(value: unknown): Status | undefined {
  if (typeof value !== 'string') return undefined;
  return ALIASES.get(value.trim().toLowerCase());
}

/** The canonical Status of one of the four words in any case ("warning" → "Warning"). */
export function canonicalStatus(word: string): Status | undefined {
  return STATUSES.find((s) => s.toLowerCase() === word.toLowerCase());
}

/** One of the four words, any case, kept as written (`statusoverride` is shown back as registered). */
export const statusWordSchema = z
  .string()
  .refine((v) => canonicalStatus(v) !== undefined, { message: `must be one of ${STATUSES.join(', ')}` });

/** One of the four words, any case, as canonical Status: `notify[].on`. */
export const canonicalStatusSchema = statusWordSchema.transform((v) => canonicalStatus(v) as Status);

/** Any status word seen in the wild (aliases too), as canonical Status: push reports. */
export const reportedStatusSchema = z
  .string()
  .refine((v) => normalizeStatus(v) !== undefined, {
    message: 'must be OK, Warning, Critical or Unknown (or pass/warn/fail, passing/warning/critical)',
  })
  .transform((v) => normalizeStatus(v) as Status);

/** A status exactly as megaphone writes it (stored data). */
export const storedStatusSchema = z.enum(STATUSES);
