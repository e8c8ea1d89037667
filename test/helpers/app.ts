import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import supertest from 'supertest';
import { parseConfig } from '../../src/config/load.js';
import type { Config, ConfigInput } from '../../src/config/schema.js';
import { realDeps } from '../../src/daemon.js';
import { createMegaphone, type Megaphone, type MegaphoneDeps } from '../../src/megaphone.js';
import type { ProbeFn } from '../../src/polling/feed.js';
import type { ReloadOutcome } from '../../src/reload.js';
import type { ResolveAll } from '../../src/security/targets.js';
import type { WritePolicy } from '../../src/security/write-auth.js';
import type { CheckTable } from '../../src/table/check-table.js';
import type { EventBus } from '../../src/table/events.js';

/** A megaphone built by the composition root with test dependencies, started, not listening. */
export interface TestApp {
  request: ReturnType<typeof supertest>;
  megaphone: Megaphone;
  table: CheckTable;
  bus: EventBus;
  config: Config;
  dataFile: string;
  dir: string;
  reload(next: Config): Promise<ReloadOutcome>;
  close(): Promise<void>;
}

export function tempDir(prefix = 'megaphone-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface TestAppOptions {
  /** Replaces DNS for target checks (registration and connect time). */
  resolve?: ResolveAll;
  /** The peer address write access sees (a stand-in for the socket's). */
  peerAddress?: WritePolicy['peerAddress'];
  /** The clock; default Date.now. */
  now?: () => number;
  /** Replaces the real probes (e.g. one that never returns). */
  probe?: ProbeFn;
  /** Any other dependency. */
  deps?: Partial<MegaphoneDeps>;
  /** Called once built, before start(): to listen from the very first event. */
  onBuilt?: (bus: EventBus) => void;
}

/**
 * createMegaphone with the daemon's real dependencies (real probes, real data file in a temp
 * folder, guarded pools) but for what the test replaces; quick polls by default.
 */
export async function makeTestApp(
  overrides: ConfigInput = {},
  dataFile?: string,
  opts: TestAppOptions = {},
): Promise<TestApp> {
  const config = parseConfig({ defaults: { interval: '1s', timeout: '500ms' }, ...overrides });
  config.dataFile = dataFile ?? path.join(tempDir(), 'db.json');
  const logger = pino({ level: 'silent' });
  const deps: MegaphoneDeps = { ...realDeps(config, logger), hostname: 'test-host', ...opts.deps };
  if (opts.now) deps.now = opts.now;
  if (opts.resolve) deps.resolve = opts.resolve;
  if (opts.probe) deps.probe = opts.probe;
  if (opts.peerAddress) deps.peerAddress = opts.peerAddress;
  const megaphone = await createMegaphone(config, deps);
  opts.onBuilt?.(megaphone.bus);
  await megaphone.start();
  return {
    request: supertest(megaphone.handler),
    megaphone,
    table: megaphone.table,
    bus: megaphone.bus,
    config,
    dataFile: config.dataFile,
    dir: path.dirname(config.dataFile),
    reload: (next) => megaphone.reload(next),
    close: () => megaphone.close(),
  };
}

/** makeTestApp with half-second polls in a given folder (history, notifications and reload tests). */
export function makeOpsApp(
  overrides: ConfigInput = {},
  opts: { dir?: string; now?: () => number } = {},
): Promise<TestApp> {
  const dir = opts.dir ?? tempDir();
  return makeTestApp({ defaults: { interval: '500ms', timeout: '500ms' }, ...overrides }, path.join(dir, 'db.json'), {
    now: opts.now,
  });
}
