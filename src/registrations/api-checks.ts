import { compileCheck, type CheckDefaults } from '../checks/compile.js';
import type { Check } from '../checks/definition.js';
import { checkSpecSchema, type Registration } from '../checks/spec.js';
import { timingChanged } from '../checks/timing.js';
import { assertDependencies } from '../checks/dependencies.js';
import {
  badRequest,
  checkNotFound,
  MegaphoneError,
  notApiCheck,
  notPushCheck,
  StorageError,
  tooManyChecks,
} from '../lib/errors.js';
import { formatIssue } from '../lib/format-issue.js';
import { assertTargetAllowed, type TargetPolicy } from '../security/targets.js';
import type { Status } from '../status.js';
import type { CheckTable } from '../table/check-table.js';
import type { Thresholds } from '../table/thresholds.js';
import type { DataFile, PushReport } from './data-file.js';
import type { TlsMaterials } from '../tls/materials.js';
import type { PendingWrites } from './pending.js';

export interface ApiChecksOptions {
  defaults: CheckDefaults;
  maxChecks: number;
  /** Where API checks may point (read at every registration: a reload may replace it). */
  targets: () => TargetPolicy;
  /** The discovery rule that owns an id, if any: such ids cannot be registered over the API. */
  claimedBy: (id: string) => string | undefined;
  now: () => number;
  /** The config's TLS material now: the CAs an API check may name (`tls.cas`). */
  materials?: () => TlsMaterials;
}

/** Who declared a check that the API may not touch: its discovery rule, else its source. */
const ownerOf = (check: { source: string; rule?: string }) =>
  check.rule ? `discovery rule ${check.rule}` : check.source;

/** Where a check connects, as the target rules judge it; undefined for checks that connect nowhere. */
function networkTarget(check: Check): URL | string | undefined {
  if (check.kind === 'http') return check.target;
  const at =
    check.kind === 'tcp' || check.kind === 'tls' || check.kind === 'grpc'
      ? check
      : check.kind === 'dns'
        ? check.server
        : undefined;
  if (!at) return undefined;
  // Judged as the same host would be in a URL (odd IPv4 spellings read as addresses).
  const host = at.host.includes(':') && !at.host.startsWith('[') ? `[${at.host}]` : at.host;
  return `http://${host}:${at.port}/`;
}

/** Compiles a stored registration; throws StorageError naming the check and the reason. */
function compileStored(id: string, raw: unknown, defaults: CheckDefaults, file: string): Check {
  const why = (reason: string) =>
    new StorageError(`data file ${file} holds an invalid check ${JSON.stringify(id)}: ${reason}; refusing to start`);
  const parsed = checkSpecSchema.safeParse(raw);
  if (!parsed.success) throw why(formatIssue(parsed.error, raw));
  if (parsed.data.id !== id) throw why(`it is stored under another id (${JSON.stringify(parsed.data.id)})`);
  try {
    return compileCheck(parsed.data, 'api', defaults);
  } catch (err) {
    if (err instanceof MegaphoneError) throw why(err.message);
    throw err;
  }
}

/**
 * The API as a source of checks: registrations validated, stored durably in the data file, then
 * put in the check table; push reports likewise. Config and discovery checks are not its to touch.
 */
export class ApiChecks {
  /** Stored ids not started because the config file declares a check with the same id. */
  readonly shadowed: string[] = [];

  constructor(
    private readonly data: DataFile,
    private readonly table: CheckTable,
    private readonly thresholds: Thresholds,
    private readonly pending: PendingWrites,
    private opts: ApiChecksOptions,
  ) {}

  /** Puts every stored check in the table (after config checks), with its last push report. */
  load(): void {
    for (const [id, raw] of this.data.state.checks) {
      const check = compileStored(id, raw, this.opts.defaults, this.data.file);
      // A check the config file declares wins over a stored registration of the same id (kept on disk).
      const taken = this.table.get(id);
      if (taken && taken.check.source !== 'api') {
        this.shadowed.push(id);
        continue;
      }
      this.table.upsert(check);
    }
    for (const [id, report] of this.data.state.pushes) {
      if (this.table.get(id)?.check.kind === 'push') this.thresholds.record(id, { ...report, latencyMs: 0 }, true);
    }
  }

  /**
   * Stores and starts a check. Resolves `created` (false when it replaced one) once durable. The
   * target policy (DNS) is judged first; every check of the state runs after it, in the turn the op
   * is queued (see PendingWrites).
   */
  async register(reg: Registration): Promise<{ created: boolean }> {
    const check = compileCheck(reg, 'api', this.opts.defaults);
    const target = networkTarget(check);
    if (target) await assertTargetAllowed(target, this.opts.targets());
    // Judged after the await, with the other rules of the state it commits into: a reload may have changed `tls.cas`.
    const unknownCa = 'tls' in check ? this.opts.materials?.().unknownCa(check.tls) : undefined;
    if (unknownCa) throw badRequest(unknownCa, 'E_TLS_UNKNOWN_CA');
    const existing = this.table.get(reg.id);
    if (existing && existing.check.source !== 'api') throw notApiCheck(reg.id, ownerOf(existing.check), 'replaced');
    assertDependencies(reg.id, check.dependsOn, this.pending.graph);
    const claim = existing ? undefined : this.opts.claimedBy(reg.id);
    if (claim) throw notApiCheck(reg.id, `discovery rule ${claim}`, 'registered');
    const isNew = !existing && !this.pending.queued(reg.id);
    if (isNew && this.table.size + this.pending.fresh >= this.opts.maxChecks) throw tooManyChecks(this.opts.maxChecks);
    const settled = this.pending.put(check);
    let existed: boolean;
    try {
      existed = await this.data.commit({ op: 'put', reg });
    } finally {
      settled();
    }
    // A config check that took the id meanwhile (a reload) wins, as at start-up; the registration stays stored.
    const now = this.table.get(reg.id);
    if (!now || now.check.source === 'api') this.table.upsert(check);
    return { created: !existed };
  }

  /** Deletes an API check once the deletion is durable. 404 when unknown, 409 when not from the API. */
  async remove(id: string): Promise<void> {
    const existing = this.table.get(id);
    if (!existing || !this.pending.holds(id)) throw checkNotFound(id);
    if (existing.check.source !== 'api') throw notApiCheck(id, ownerOf(existing.check), 'deleted');
    const settled = this.pending.delete(id);
    let removed: boolean;
    try {
      removed = await this.data.commit({ op: 'delete', id });
    } finally {
      settled();
    }
    if (!removed) throw checkNotFound(id);
    this.table.remove(id);
  }

  /**
   * Records a report pushed to a push check: durable first, then applied, so an acknowledged
   * report survives a restart. 404 when unknown, 409 when the check is not a push check.
   */
  async report(id: string, status: Status, message: string): Promise<void> {
    const state = this.table.get(id);
    if (!state || !this.pending.holds(id)) throw checkNotFound(id);
    if (state.check.kind !== 'push') throw notPushCheck(id, state.check.kind);
    const check = state.check;
    const report: PushReport = { status, message, at: this.opts.now() };
    await this.data.commit({ op: 'push', id, report });
    // Applied only if the same check is still registered after the write.
    if (this.table.get(id)?.check === check) this.thresholds.record(id, { ...report, latencyMs: 0 });
  }

  /**
   * Applies reloaded defaults and limits: only API checks whose timing or thresholds changed are
   * retimed, keeping their status; the others keep polling untouched. Returns ids left as they were.
   */
  reconfigure(opts: Pick<ApiChecksOptions, 'defaults' | 'maxChecks'>): string[] {
    this.opts = { ...this.opts, ...opts };
    const kept: string[] = [];
    for (const [id, raw] of this.data.state.checks) {
      const current = this.table.get(id);
      if (current?.check.source !== 'api') continue;
      let next;
      try {
        next = compileCheck(raw as Registration, 'api', this.opts.defaults);
      } catch {
        // e.g. its own timeout no longer fits a new default interval: it keeps running as it was.
        kept.push(id);
        continue;
      }
      if (timingChanged(current.check, next)) this.table.upsert(next, { keepState: true });
    }
    return kept;
  }
}
