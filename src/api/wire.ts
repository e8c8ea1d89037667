/**
 * The API's wire vocabulary: what clients (the CLI, other megaphones) may rely on. This file and
 * src/lib are all that src/client imports; the daemon imports the same definitions from here.
 */
export { STATUSES, normalizeStatus, type Status } from '../status.js';

/** The id of the check that forces the host Critical (Megaphone's `--global`). */
export const GLOBAL_ID = '--global';

/** The message of `/` when every check is OK, and when there is none. */
export const ALL_OK_MESSAGE = 'Everything is OK!';
export const NO_CHECKS_MESSAGE = 'No services are registered!';

/** Every error answer: `{error, code}` with a 4xx or 5xx. */
export interface ErrorBody {
  error: string;
  code: string;
}

/** One entry of a health+json `checks` array as megaphone writes it. */
export interface HealthCheckEntry {
  componentId?: string;
  componentType?: string;
  status?: string;
  /** megaphone's own word (health+json has no "unknown"). */
  megaphoneStatus?: string;
  observedValue?: number;
  observedUnit?: string;
  output?: string;
  time?: string;
}
/** The measurement every megaphone check reports in health+json. */
export const HEALTH_MEASUREMENT = 'status';

/**
 * The health+json `checks` key of a check id. The draft's keys are `component:measurement`, neither
 * part holding a colon, while ids may hold `:`: the id is the component with `%` and `:`
 * percent-encoded (`%25`, `%3A`), and the measurement is `status`. `db:primary` → `db%3Aprimary:status`.
 * The entry's `componentId` keeps the raw id.
 */
export function healthCheckKey(id: string): string {
  return `${id.replaceAll('%', '%25').replaceAll(':', '%3A')}:${HEALTH_MEASUREMENT}`;
}
