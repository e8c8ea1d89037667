import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.js';
import { compileStatusPath, parseStatusPath } from '../src/checks/jsonpath.js';

// Each payload, if it ever ran, would create this file: the test proves it never does.
const sentinel = path.join(tempDir('megaphone-cve-'), 'pwned');
const cmd = `touch ${sentinel}`;

/** The published exploit payloads, with their command swapped for the sentinel. */
const PAYLOADS: Array<[string, string]> = [
  // CVE-2024-21534, the original report (Snyk SNYK-JS-JSONPATHPLUS-7945884).
  [
    'CVE-2024-21534 original',
    `$[(this.constructor.constructor("require(\\"child_process\\").execSync(\\"${cmd}\\")")())]`,
  ],
  // CVE-2024-21534, the bypass of 10.0.0's fix (JSONPath-Plus issue #226).
  [
    'CVE-2024-21534 bypass of 10.0.0',
    '$[?(var _$_root=[].constructor.constructor(' +
      `"this.process.mainModule.require(\\"child_process\\").execSync(\\"${cmd}\\")");@root())]`,
  ],
  // CVE-2025-1302, the bypass of 10.2.0 through array-valued property names.
  [
    'CVE-2025-1302',
    `$..[?(p="this.process.mainModule.require('child_process').execSync('${cmd}')";` +
      "a=''[['constructor']][['constructor']](p);a())]",
  ],
  ['filter without parentheses', `$..[?@.constructor]`],
  ['script in backticks', '$..`constructor`'],
  ['prototype key in a slash path', 'constructor/constructor'],
  ['__proto__ in a slash path', '__proto__/polluted'],
];

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('JSONPath payloads that execute code in jsonpath-plus', () => {
  it.each(PAYLOADS)(
    '%s is rejected at registration with a 400, nothing stored, nothing run',
    async (_name, jsonpath) => {
      t = await makeTestApp();
      const res = await t.request
        .post('/checks')
        .send({ id: 'cve', url: { addr: 'http://127.0.0.1:1/status', jsonpath } });
      expect(res.status).toBe(400);
      expect(res.body.code).toMatch(/^E_JSONPATH|^E_VALIDATION$/);
      expect(res.body.error).toMatch(/jsonpath/);
      expect(t.table.size).toBe(0);
      expect(existsSync(sentinel)).toBe(false);
    },
  );

  it.each(PAYLOADS)('%s never compiles, even bypassing the API (a stored one finds nothing)', (_name, jsonpath) => {
    expect(() => parseStatusPath(jsonpath)).toThrow();
    expect(compileStatusPath(jsonpath).find({ a: { constructor: 1 } }).kind).toBe('refused');
    expect(existsSync(sentinel)).toBe(false);
  });

  it('an over-long path is refused; ordinary paths still compile', () => {
    expect(() => parseStatusPath(`$${'.a'.repeat(200)}`)).toThrow(/longer than 256/);
    expect(compileStatusPath('$.health.status').find({ health: { status: 'OK' } })).toMatchObject({
      kind: 'hit',
      value: 'OK',
    });
    expect(compileStatusPath('$..status').find({ a: { b: { status: 'Warning' } } })).toMatchObject({
      kind: 'hit',
      value: 'Warning',
    });
    expect(compileStatusPath('megaphone/status').find({ megaphone: { status: 'OK' } })).toMatchObject({
      kind: 'hit',
      value: 'OK',
    });
  });
});
