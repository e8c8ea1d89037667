import type { HistoryEntry } from './store.js';

/** A history entry as the API shows it (GET /history, /checks/:id/history, and /events data). */
export function historyView(e: HistoryEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {
    index: e.index,
    check: e.check,
    from: e.from,
    to: e.to,
    message: e.message,
    at: new Date(e.at).toISOString(),
  };
  if (e.blockedBy) out.blockedBy = e.blockedBy;
  if (e.silence) out.silence = e.silence;
  return out;
}
