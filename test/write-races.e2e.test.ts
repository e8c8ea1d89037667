import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { call, spawnDaemon, type RunningDaemon } from './helpers/daemon.js';

let daemon: RunningDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

describe('writes validate against the state they commit into (the built daemon, real sockets)', () => {
  it('a{dependsOn:[b]} and b{dependsOn:[a]} together: one 201, one 400 E_DEPENDENCY_CYCLE (20 rounds)', async () => {
    daemon = await spawnDaemon();
    for (let round = 0; round < 20; round++) {
      const [a, b] = [`a${round}`, `b${round}`];
      const answers = await Promise.all([
        call(daemon, 'POST', '/checks', { id: a, ttl: '1m', dependsOn: [b] }),
        call(daemon, 'POST', '/checks', { id: b, ttl: '1m', dependsOn: [a] }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([201, 400]);
      const refused = answers.find((r) => r.status === 400)!;
      expect(refused.body.code).toBe('E_DEPENDENCY_CYCLE');
      expect(refused.body.error).toMatch(new RegExp(`${a} → ${b} → ${a}|${b} → ${a} → ${b}`));
    }
    // What was stored is what was acknowledged: 20 checks, no cycle.
    const checks = await call(daemon, 'GET', '/checks');
    expect(Object.keys(checks.body)).toHaveLength(20);
  });

  it('DELETE X with PUT X/silence: no silence outlives X; X registered again starts unsilenced', async () => {
    daemon = await spawnDaemon();
    for (let round = 0; round < 20; round++) {
      const id = `x${round}`;
      await call(daemon, 'POST', '/checks', { id, ttl: '1m' }).then((r) => expect(r.status).toBe(201));
      const [del, put] = await Promise.all([
        call(daemon, 'DELETE', `/checks/${id}`),
        call(daemon, 'PUT', `/checks/${id}/silence`, { reason: 'race' }),
      ]);
      expect(del.status).toBe(204);
      // The silence came first (and went with the check) or after (404: the check was gone).
      expect([201, 404]).toContain(put.status);
      expect((await call(daemon, 'GET', `/checks/${id}/silence`)).status).toBe(404);
      await call(daemon, 'POST', '/checks', { id, ttl: '1m' }).then((r) => expect(r.status).toBe(201));
      expect((await call(daemon, 'GET', `/checks/${id}/silence`)).body.silenced).toBeNull();
    }
    // Re-registered checks wait for their first report: Unknown, none hidden by an old silence.
    const root = await call(daemon, 'GET', '/');
    expect(root.body.message).toMatch(/x19:Unknown/);
    // Nor does the data file keep one for a restart to bring back.
    await daemon.stop();
    const stored = JSON.parse(readFileSync(path.join(daemon.dir, 'megaphone.db.json'), 'utf8')) as {
      silences: Record<string, unknown>;
    };
    expect(stored.silences).toEqual({});
  });
});
