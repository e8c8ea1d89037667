import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGuardedAgent } from '../../src/security/connect-guard.js';
import { compileTargetPolicy, type ResolveAll } from '../../src/security/targets.js';
import type { WritePolicy } from '../../src/security/write-auth.js';
import { pino } from 'pino';
import supertest from 'supertest';
import type Koa from 'koa';
import { createApp } from '../../src/api/app.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config, ConfigInput } from '../../src/config/schema.js';
import { Monitor, type ProbeFn } from '../../src/monitor.js';
import { compileConfigChecks } from '../../src/checks/config-checks.js';
import { Registry } from '../../src/registry/registry.js';
import { Scheduler } from '../../src/scheduler.js';
import { runProbe } from '../../src/probes/index.js';
import { createDialects, type Dialects } from '../../src/dialects.js';

export interface TestApp {
  app: Koa;
  request: ReturnType<typeof supertest>;
  monitor: Monitor;
  registry: Registry;
  scheduler: Scheduler;
  config: Config;
  dialects: Dialects;
  dataFile: string;
  close(): Promise<void>;
}

export function tempDir(prefix = 'megaphone-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** The app wired with real deps (real probes, real data file in a temp folder), no listening port. */
export interface TestAppOptions {
  /** Replaces DNS for target checks (registration and connect time). */
  resolve?: ResolveAll;
  /** Who may write; default as the daemon's: the token from `auth`, loopback free. */
  writePolicy?: WritePolicy;
  /** The clock the monitor, registry and API see; default Date.now. */
  now?: () => number;
  /** Replaces the real probes (e.g. one that never returns). */
  probe?: ProbeFn;
}

export async function makeTestApp(overrides: ConfigInput = {}, dataFile?: string, opts: TestAppOptions = {}): Promise<TestApp> {
  const config = parseConfig({ defaults: { interval: '1s', timeout: '500ms' }, ...overrides });
  config.dataFile = dataFile ?? path.join(tempDir(), 'db.json');
  const now = opts.now ?? Date.now;
  const targets = compileTargetPolicy(config.targets.allow, opts.resolve);
  const dispatcher = createGuardedAgent(targets, { keepAliveTimeout: 1000 });
  const scheduler = new Scheduler({ concurrency: config.limits.concurrentPolls, onResult: (id, r) => monitor.onResult(id, r) });
  const probe: ProbeFn = opts.probe ?? ((check, signal) => runProbe(check, signal, { dispatcher, now, targets }));
  const monitor: Monitor = new Monitor({ scheduler, now, flap: config.flap, probe });
  for (const check of compileConfigChecks(config)) monitor.upsert(check);
  const registry = await Registry.open(config.dataFile, monitor, { defaults: config.defaults, maxChecks: config.limits.maxChecks, now, targets });
  const dialects = createDialects({ config, monitor, store: registry, now });
  const writePolicy = opts.writePolicy ?? { token: config.auth.token, requireTokenOnLoopback: config.auth.requireTokenOnLoopback };
  const app = createApp({ monitor, registry, logger: pino({ level: 'silent' }), now, dialects, writePolicy });
  return {
    app,
    request: supertest(app.callback()),
    monitor,
    registry,
    scheduler,
    config,
    dialects,
    dataFile: config.dataFile,
    async close() {
      monitor.stop();
      scheduler.stop();
      dialects.close();
      await registry.drain();
      await dispatcher.destroy();
    },
  };
}
