import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { storedChecks } from './helpers/stored.js';

let app: TestApp | undefined;
let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  await app?.close();
  app = server = undefined;
});

describe('writes take turns on the event loop', () => {
  it('60 registrations arriving at once on kept-alive connections all complete, durably; reads answer', async () => {
    app = await makeTestApp({}, undefined, {
      probe: () => Promise.resolve({ status: 'OK', message: 'fine', latencyMs: 0, at: Date.now() }),
    });
    server = http.createServer(app.megaphone.handler);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 60 });
    const post = async (i: number) => {
      const res = await pool.request({
        path: '/checks',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `burst-${i}`, url: `http://127.0.0.1:9/s/${i}` }),
      });
      await res.body.dump();
      return res.statusCode;
    };
    try {
      // Connections first, so the 60 requests then reach the daemon in the same turn of its event loop.
      await Promise.all(Array.from({ length: 60 }, (_, i) => post(1000 + i)));
      const codes = await Promise.all(Array.from({ length: 60 }, (_, i) => post(i)));
      const read = await pool.request({ path: '/checks', method: 'GET' });
      await read.body.dump();
      expect(codes).toEqual(new Array(60).fill(201));
      expect(read.statusCode).toBe(200);
      expect(Object.keys(storedChecks(app.dataFile))).toHaveLength(120);
    } finally {
      await pool.close();
    }
  });
});
