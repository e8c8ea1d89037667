import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { pino } from 'pino';
import { agentLine, MAX_AGENT_DESCRIPTION, startAgent, type AgentListener } from '../src/integrations/haproxy-agent.js';
import type { HostStatus as HostSummary } from '../src/summary/host-view.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';

const weights = { OK: 100, Unknown: 100, Warning: 50 };
const counts = { OK: 0, Unknown: 0, Warning: 0, Critical: 0 };
const summary = (s: Partial<HostSummary>): HostSummary => ({
  status: 'OK',
  message: '',
  counts,
  problems: [],
  silenced: 0,
  ...s,
});

describe('agentLine (the HAProxy agent-check grammar)', () => {
  it.each([
    ['OK', summary({ status: 'OK' }), 'up ready 100%\n'],
    ['Unknown', summary({ status: 'Unknown' }), 'up ready 100%\n'],
    ['Warning', summary({ status: 'Warning' }), 'up ready 50%\n'],
    [
      'Critical',
      summary({
        status: 'Critical',
        problems: [
          { id: 'db', status: 'Critical', message: 'connection refused' },
          { id: 'x', status: 'Warning', message: 'w' },
        ],
      }),
      'down #db:Critical:connection refused\n',
    ],
    [
      'maintenance',
      summary({ status: 'Critical', maintenance: { reason: 'kernel upgrade', since: 0 } }),
      'drain #kernel upgrade\n',
    ],
  ])('%s', (_name, s, line) => {
    expect(agentLine(s, weights)).toBe(line);
  });

  it('uses the configured weights', () => {
    expect(agentLine(summary({ status: 'Warning' }), { OK: 90, Unknown: 10, Warning: 25 })).toBe('up ready 25%\n');
    expect(agentLine(summary({ status: 'Unknown' }), { OK: 90, Unknown: 10, Warning: 25 })).toBe('up ready 10%\n');
    expect(agentLine(summary({ status: 'OK' }), { OK: 90, Unknown: 10, Warning: 25 })).toBe('up ready 90%\n');
  });

  it('keeps the description to one capped line', () => {
    const message = `line one\r\nline two\ttab ${'y'.repeat(500)}`;
    const line = agentLine(
      summary({ status: 'Critical', problems: [{ id: 'db', status: 'Critical', message }] }),
      weights,
    );
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\r\n\t]/);
    expect(line.startsWith('down #db:Critical:line one line two tab y')).toBe(true);
    expect(line.length).toBeLessThanOrEqual('down #'.length + MAX_AGENT_DESCRIPTION + 1);
  });
});

describe('the agent listener', () => {
  let t: TestApp;
  let agent: AgentListener;
  let svc: FakeService;

  afterEach(async () => {
    await agent.close();
    await svc.close();
    await t.close();
  });

  const read = (port: number) =>
    new Promise<string>((resolve, reject) => {
      let data = '';
      const s = net.connect(port, '127.0.0.1');
      s.on('data', (d) => (data += d.toString()));
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });

  it('writes one line per connection and closes, following the host', async () => {
    t = await makeTestApp();
    svc = await startFakeService();
    agent = await startAgent({
      host: '127.0.0.1',
      port: 0,
      weights: () => weights,
      view: t.megaphone.host,
      admission: t.megaphone.admission,
      logger: pino({ level: 'silent' }),
    });
    expect(await read(agent.port)).toBe('up ready 100%\n');
    await t.request.post('/checks').send({ id: 'web', url: svc.url }).expect(201);
    svc.status('Warning', 'slow');
    await waitFor(async () => (await read(agent.port)) === 'up ready 50%\n', 15_000);
    svc.status('Critical', 'db gone');
    await waitFor(async () => (await read(agent.port)) === 'down #web:Critical:db gone\n', 15_000);
    await t.request.put('/maintenance').send({ reason: 'patching' }).expect(201);
    expect(await read(agent.port)).toBe('drain #patching\n');
    await t.request.delete('/maintenance').expect(204);
    svc.status('OK');
    await waitFor(async () => (await read(agent.port)) === 'up ready 100%\n', 15_000);
  });

  it('survives peers that reset the connection or send data first (HAProxy agent-send)', async () => {
    t = await makeTestApp();
    svc = await startFakeService();
    agent = await startAgent({
      host: '127.0.0.1',
      port: 0,
      weights: () => weights,
      view: t.megaphone.host,
      admission: t.megaphone.admission,
      logger: pino({ level: 'silent' }),
    });
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const s = net.connect(agent.port, '127.0.0.1', () => {
          s.write('hello\n');
          s.resetAndDestroy();
          resolve();
        });
        s.on('error', () => undefined);
      });
    }
    expect(await read(agent.port)).toBe('up ready 100%\n');
  });
});
