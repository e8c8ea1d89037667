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
