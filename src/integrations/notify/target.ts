/** Longest webhook URL accepted. */
export const MAX_WEBHOOK_URL = 2048;

/**
 * Why a webhook URL may not be used, or undefined when it may. The one place webhook targets are
 * judged, so the security rules for check targets can be applied here too.
 */
export function webhookUrlProblem(value: string): string | undefined {
  if (value.length > MAX_WEBHOOK_URL) return `must be at most ${MAX_WEBHOOK_URL} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.hostname === '') return 'must name a host';
  if (url.hash !== '') return 'must not have a #fragment';
  return undefined;
}
