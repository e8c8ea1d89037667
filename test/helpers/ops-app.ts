import path from 'node:path';
import { Agent } from 'undici';
import { pino } from 'pino';
import supertest from 'supertest';
import { createApp } from '../../src/api/app.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config, ConfigInput } from '../../src/config/schema.js';
import { Monitor } from '../../src/monitor.js';
import { Registry } from '../../src/registry/registry.js';
import { Scheduler } from '../../src/scheduler.js';
import { runProbe } from '../../src/probes/index.js';
import { compileConfigChecks } from '../../src/checks/config-checks.js';
import { wireOperations, type Operations } from '../../src/ops/wire.js';
import { tempDir } from './app.js';
import { createDialects } from '../../src/dialects.js';
import { registerOpsMetrics } from '../../src/ops/metrics.js';
import { dialectSections } from '../../src/ops/reload-dialects.js';

export interface OpsApp {
  request: ReturnType<typeof supertest>;
  monitor: Monitor;
  scheduler: Scheduler;
  registry: Registry;
  ops: Operations;
  config: Config;
  dir: string;
  close(): Promise<void>;
}

/** The app wired as the daemon wires it (history, notifications, reload), without listening. */
export async function makeOpsApp(overrides: ConfigInput = {}, opts: { dir?: string; now?: () => number } = {}): Promise<OpsApp> {
  const config = parseConfig({ defaults: { interval: '500ms', timeout: '500ms' }, ...overrides });
  const dir = opts.dir ?? tempDir();
  config.dataFile = path.join(dir, 'db.json');
  const now = opts.now ?? Date.now;
  const logger = pino({ level: 'silent' });
  const dispatcher = new Agent({ keepAliveTimeout: 1000 });
  const scheduler = new Scheduler({ concurrency: 16, onResult: (id, r) => monitor.onResult(id, r) });
  const monitor: Monitor = new Monitor({ scheduler, now, flap: config.flap, probe: (check, signal) => runProbe(check, signal, { dispatcher, now }) });
  const ops = await wireOperations({ config, logger, now, monitor, env: {}, hostname: 'test-host' });
  for (const check of compileConfigChecks(config)) monitor.upsert(check);
  const registry = await Registry.open(config.dataFile, monitor, { defaults: config.defaults, maxChecks: config.limits.maxChecks, now });
  monitor.start();
  ops.ready(registry);
  const dialects = createDialects({ config, monitor, store: registry, now });
  registerOpsMetrics(dialects.metrics.registry, ops);
  for (const section of dialectSections(dialects, config.agent.weights, logger)) ops.addReloadSection(section);
  const app = createApp({ monitor, registry, logger, now, dialects, history: ops.history, notifier: ops.notifier, hostname: 'test-host' });
  return {
    request: supertest(app.callback()),
    monitor,
    scheduler,
    registry,
    ops,
    config,
    dir,
    async close() {
      dialects.close();
      monitor.stop();
      scheduler.stop();
      await registry.drain();
      await ops.close();
      await dispatcher.destroy();
    },
  };
}
