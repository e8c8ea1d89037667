import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { makeTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const json = 'application/json';
const good = 'http://127.0.0.1:9/status';

// [description, method, path, content-type, body, expected status, expected code, error must mention]
const cases: Array<[string, string, string, string | undefined, string | undefined, number, string, RegExp]> = [
  ['malformed JSON', 'POST', '/checks', json, '{"id": "a", ', 400, 'E_BAD_JSON', /not valid JSON/],
  ['a JSON array', 'POST', '/checks', json, '[1,2]', 400, 'E_VALIDATION', /JSON object/],
  ['no body at all', 'POST', '/checks', undefined, undefined, 400, 'E_VALIDATION', /JSON object/],
  ['missing id', 'POST', '/checks', json, JSON.stringify({ url: good }), 400, 'E_VALIDATION', /`id`/],
  ['missing url', 'POST', '/checks', json, JSON.stringify({ id: 'a' }), 400, 'E_VALIDATION', /`url`/],
  [
    'an id with a space',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a b', url: good }),
    400,
    'E_VALIDATION',
    /`id`.*"a b"/,
  ],
  [
    'an id of 129 characters',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'x'.repeat(129), url: good }),
    400,
    'E_VALIDATION',
    /`id`/,
  ],
  [
    'an id with a slash',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a/b', url: good }),
    400,
    'E_VALIDATION',
    /`id`/,
  ],
  [
    'a non-http url',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a', url: 'ftp://x/' }),
    400,
    'E_VALIDATION',
    /`url`.*http/,
  ],
  [
    'a url that is not a URL',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a', url: 'not a url' }),
    400,
    'E_VALIDATION',
    /`url`/,
  ],
  [
    'a url that is a number',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a', url: 5 }),
    400,
    'E_VALIDATION',
    /`url`/,
  ],
  [
    'an object url without addr',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a', url: { jsonpath: 'a/b' } }),
    400,
    'E_VALIDATION',
    /`url\.addr`/,
  ],
  [
    'a bad statusoverride',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a', url: { addr: good, statusoverride: 'Green' } }),
    400,
    'E_VALIDATION',
    /`url\.statusoverride`.*"Green"/,
  ],
  [
    'an unknown field',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a', url: good, colour: 'red' }),
    400,
    'E_VALIDATION',
    /unknown key `colour`/,
  ],
  [
    'an unknown url field',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a', url: { addr: good, jsonpth: 'x' } }),
    400,
    'E_VALIDATION',
    /unknown key `url\.jsonpth`/,
  ],
  [
    'a JSONPath filter (script)',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a', url: { addr: good, jsonpath: "$..[?(@.status === 'OK')]" } }),
    400,
    'E_JSONPATH_SCRIPT',
    /filter or script expressions other than RFC 9535's.*write e\.g\. `\?@\.x == 1` \(RFC 9535\)/,
  ],
  [
    'a JSONPath over 256 characters',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a', url: { addr: good, jsonpath: `$.${'a'.repeat(300)}` } }),
    400,
    'E_JSONPATH',
    /256/,
  ],
  [
    'a slash path through __proto__',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a', url: { addr: good, jsonpath: '__proto__/status' } }),
    400,
    'E_JSONPATH_KEY',
    /__proto__/,
  ],
  [
    'a form body',
    'POST',
    '/checks',
    'application/x-www-form-urlencoded',
    'id=a&url=b',
    415,
    'E_UNSUPPORTED_MEDIA_TYPE',
    /application\/json/,
  ],
  ['a text body', 'POST', '/checks', 'text/plain', '{"id":"a"}', 415, 'E_UNSUPPORTED_MEDIA_TYPE', /text\/plain/],
  [
    'a body over 64 KB',
    'POST',
    '/checks',
    json,
    JSON.stringify({ id: 'a', url: good, pad: 'x'.repeat(70_000) }),
    413,
    'E_BODY_TOO_LARGE',
    /64 KB/,
  ],
  ['an unknown route', 'GET', '/nope', undefined, undefined, 404, 'E_NOT_FOUND', /\/nope/],
  ['PUT on /checks', 'PUT', '/checks', json, '{}', 405, 'E_METHOD_NOT_ALLOWED', /method/],
  ['POST on /', 'POST', '/', json, '{}', 405, 'E_METHOD_NOT_ALLOWED', /method/],
  ['DELETE of an unknown check', 'DELETE', '/checks/ghost', undefined, undefined, 404, 'E_CHECK_NOT_FOUND', /ghost/],
];

describe('bad requests', () => {
  it.each(cases)(
    '%s gets its 4xx with a JSON error and stores nothing',
    async (_d, method, path, type, body, status, code, mentions) => {
      let req = t.request[method.toLowerCase() as 'post'](path);
      if (type) req = req.set('content-type', type);
      const res = await (body === undefined ? req : req.send(body));
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body.code).toBe(code);
      expect(res.body.error).toMatch(mentions);
      expect((await t.request.get('/checks')).body).toEqual({});
      if (existsSync(t.dataFile)) expect(JSON.parse(readFileSync(t.dataFile, 'utf8')).checks).toEqual({});
    },
  );

  it('a 405 names the allowed methods', async () => {
    const res = await t.request.put('/checks').send({});
    expect(res.headers.allow).toMatch(/GET/);
    expect(res.headers.allow).toMatch(/POST/);
  });
});
