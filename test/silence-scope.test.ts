import { describe, expect, it } from 'vitest';
import { makeTestApp } from './helpers/app.js';
import { testScope } from './helpers/scope.js';
import { waitFor } from './helpers/wait.js';
import { processInfo, tableReader } from './helpers/process-table.js';

const scope = testScope();

/** The value of one sample line of /metrics, e.g. `megaphone_check_silenced{check="db"}`. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('silences hide a check from the status, never from the operator', () => {
  it('silenced checks are counted and named in /, the group and /metrics; all silenced reads OK', async () => {
    const app = scope.keep(
      await makeTestApp({ groups: { web: { checks: ['db', 'ok'] }, solo: { checks: ['db'] } } } as never),
    );
    await app.request.post('/checks').send({ id: 'db', ttl: '1h' }).expect(201);
    await app.request.post('/checks').send({ id: 'ok', ttl: '1h' }).expect(201);
    await app.request.put('/checks/db/status').send({ status: 'Critical', message: 'down' }).expect(200);
    await app.request.put('/checks/ok/status').send({ status: 'OK', message: 'fine' }).expect(200);
    expect((await app.request.get('/')).body).not.toHaveProperty('silenced');

    await app.request.put('/checks/db/silence').send({ reason: 'disk swap' }).expect(201);
    expect((await app.request.get('/').expect(200)).body).toMatchObject({
      status: 'OK',
      message: 'Everything is OK!',
      silenced: 1,
    });
    // A group whose only member is silenced is OK, and says why: a balancer keeps the pool.
    expect((await app.request.get('/groups/solo').expect(200)).body).toMatchObject({
      status: 'OK',
      message: 'all 1 check silenced: db',
      silenced: 1,
    });
    expect((await app.request.get('/groups/web')).body).toMatchObject({ status: 'OK', silenced: 1 });

    await app.request.put('/checks/ok/silence').send({ reason: 'moving it' }).expect(201);
    const root = await app.request.get('/').expect(200);
    expect(root.body).toMatchObject({ status: 'OK', message: 'all 2 checks silenced: db, ok', silenced: 2 });
    const health = JSON.parse((await app.request.get('/').set('Accept', 'application/health+json')).text);
    expect(health).toMatchObject({ status: 'pass', silenced: 2, checks: {} });
    expect((await app.request.get('/').set('Accept', 'text/plain')).text).toBe('OK: all 2 checks silenced: db, ok\n');

    const text = (await app.request.get('/metrics')).text;
    expect(sample(text, 'megaphone_silenced_checks')).toBe(2);
    expect(sample(text, 'megaphone_check_silenced{check="db"}')).toBe(1);
    expect(sample(text, 'megaphone_group_silenced_members{group="web"}')).toBe(2);
    expect(sample(text, 'megaphone_host_status')).toBe(0);

    await app.request.delete('/checks/db/silence').expect(204);
    expect((await app.request.get('/').expect(503)).body).toMatchObject({
      status: 'Critical',
      message: 'db:Critical:down',
      silenced: 1,
    });
  });

  it('a discovered check that goes takes its silence with it: a new one of the same id starts unsilenced', async () => {
    const reader = tableReader();
    const rules = [{ match: { cmd: '--serve' }, id: 'app', url: 'http://127.0.0.1:9/', whenMissing: 'remove' }];
    const app = scope.keep(
      await makeTestApp({ discovery: { interval: '1h', rules } } as never, undefined, {
        deps: { processReader: () => reader },
      }),
    );
    const runner = app.megaphone.discovery;
    // A loaded machine can make a rule sit a snapshot out (its time budget): tick until it is applied.
    const tickUntil = async (done: () => boolean) => {
      for (let i = 0; i < 20 && !done(); i++) await runner.tick();
    };
    reader.set([processInfo(10)]);
    await tickUntil(() => app.table.get('app') !== undefined);
    await app.request.put('/checks/app/silence').send({ reason: 'redeploying' }).expect(201);

    reader.set([]);
    await tickUntil(() => app.table.get('app') === undefined);
    expect(app.table.get('app')).toBeUndefined();
    await app.request.get('/checks/app/silence').expect(404);

    reader.set([processInfo(11)]);
    await tickUntil(() => app.table.get('app') !== undefined);
    await waitFor(() => app.table.get('app'));
    expect((await app.request.get('/checks/app/silence').expect(200)).body.silenced).toBeNull();
    await waitFor(() => !app.megaphone.data.state.silences.has('app'));
  });
});
