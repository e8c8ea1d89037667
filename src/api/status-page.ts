import type { Context } from 'koa';
import type { CheckState } from '../table/check-state.js';
import type { CheckTable } from '../table/check-table.js';
import type { HistoryEntry, HistoryStore } from '../history/store.js';
import type { Summary } from '../summary/aggregate.js';
import { severity, type Status } from '../status.js';
import { STATUS_PAGE_CSS } from './status-page-css.js';
import { STATUS_PAGE_SCRIPT, STATUS_PAGE_SCRIPT_HASH } from './status-page-script.js';
import { chooseMediaType } from './accept.js';

/** Seconds between the page's own reloads when scripts are off (with them it follows /events). */
const REFRESH_SECONDS = 10;
const RECENT_TRANSITIONS = 20;

/** What the page shows; the route gathers it, the renderer only formats. */
export interface StatusPageView {
  hostname: string;
  now: number;
  status: Status;
  message: string;
  checks: CheckState[];
  recent: HistoryEntry[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every untrusted string (ids, messages, host name) goes through this before it reaches the page. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

// Colour is never alone: each status also has a word and a symbol.
const SYMBOL: Record<Status, string> = { OK: '✔', Unknown: '?', Warning: '!', Critical: '✖' };

function badge(status: Status): string {
  return `<span class="badge s-${status}">${SYMBOL[status]} ${status}</span>`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

function time(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  return `<time datetime="${iso}" title="${iso}">${ago(now - at)}</time>`;
}

function checkRow(s: CheckState, now: number): string {
  const flapping = s.flapping ? ' <span class="flap">⇅ flapping</span>' : '';
  const silenced = s.silence ? ` <span class="flap">🔕 silenced: ${escapeHtml(s.silence.reason)}</span>` : '';
  const flags = `${flapping}${s.stale ? ' <span class="flap">⌛ stale</span>' : ''}${silenced}`;
  return `<li class="check s-${s.status}" data-id="${escapeHtml(s.check.id)}">
<div class="head">${badge(s.status)} <strong class="id">${escapeHtml(s.check.id)}</strong>${flags}</div>
<div class="msg">${escapeHtml(s.message)}</div>
<div class="meta">since ${time(s.since, now)} · source ${escapeHtml(s.check.source)}</div>
</li>`;
}

function transitionRow(e: HistoryEntry, now: number): string {
  const who = e.check === null ? '<em>host</em>' : escapeHtml(e.check);
  const change = `${badge(e.from)} → ${badge(e.to)}`;
  const message = `<span class="msg">${escapeHtml(e.message)}</span>`;
  return `<li>${time(e.at, now)} <span class="who">${who}</span> ${change} ${message}</li>`;
}

/** The whole page: one inline script (allowed by hash) following /events; no external assets. */
export function renderStatusPage(v: StatusPageView): string {
  const checks = [...v.checks].sort(
    (a, b) => severity(b.status) - severity(a.status) || (a.check.id < b.check.id ? -1 : 1),
  );
  const list =
    checks.length > 0
      ? `<ul class="checks">${checks.map((s) => checkRow(s, v.now)).join('\n')}</ul>`
      : '<p>No services are registered.</p>';
  const recent =
    v.recent.length > 0
      ? `<ul class="recent">${v.recent.map((e) => transitionRow(e, v.now)).join('\n')}</ul>`
      : '<p>No transitions yet.</p>';
  const nowIso = new Date(v.now).toISOString();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<noscript><meta http-equiv="refresh" content="${REFRESH_SECONDS}"></noscript>
<title>${escapeHtml(v.status)} · ${escapeHtml(v.hostname)} · megaphone</title>
<style>${STATUS_PAGE_CSS}</style></head>
<body><main>
<header class="host s-${v.status}"><h1>${escapeHtml(v.hostname)}</h1><div class="hoststatus">${badge(v.status)}</div>
<p class="msg">${escapeHtml(v.message)}</p></header>
<h2>Checks (${checks.length})</h2>
${list}
<h2>Latest transitions</h2>
<div id="recent">${recent}</div>
<footer>Updated <time id="updated" datetime="${nowIso}">${nowIso}</time> ·
<span id="live">refreshes every ${REFRESH_SECONDS}s</span> · <a href="/?format=json">JSON</a></footer>
</main><script>${STATUS_PAGE_SCRIPT}</script></body></html>
`;
}

/** True when the client prefers HTML over every other type served (a browser); curl's and LBs' `*\/*` do not. */
export function prefersHtml(ctx: Context, otherTypes: readonly string[] = ['application/json']): boolean {
  // The hot path (LBs, curl) never says html: skip the full negotiation.
  if (!ctx.get('accept').includes('html')) return false;
  // `/?format=json` lets a browser see the JSON.
  if (ctx.query.format !== undefined) return false;
  return chooseMediaType(ctx.get('accept'), [...otherTypes, 'text/html']) === 'text/html';
}

export interface StatusPageDeps {
  host: { summary(): Summary };
  table: CheckTable;
  history?: HistoryStore;
  now: () => number;
  hostname: string;
}

/** Serves the page with the same HTTP code as the JSON summary. */
export function serveStatusPage(ctx: Context, deps: StatusPageDeps, code: number): void {
  // The host's summary (maintenance included), not only the checks'.
  const summary = deps.host.summary();
  ctx.status = code;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Vary', 'Accept');
  // Nothing on the page runs or loads but its own script (by hash), which talks only to this daemon.
  ctx.set(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'unsafe-inline'; script-src ${STATUS_PAGE_SCRIPT_HASH}; connect-src 'self'; ` +
      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = renderStatusPage({
    hostname: deps.hostname,
    now: deps.now(),
    status: summary.status,
    message: summary.message,
    checks: [...deps.table.all()],
    recent: deps.history?.recent(RECENT_TRANSITIONS) ?? [],
  });
}
