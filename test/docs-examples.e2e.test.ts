import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './helpers/app.js';
import { conventionProblems, readBlocks, type Block } from './helpers/doc-blocks.js';
import { matches, normalise } from './helpers/doc-output.js';
import { onlyReads, REPO, runPage, type Mismatch } from './helpers/doc-runner.js';
import { megaphone } from './helpers/procs.js';

// Runs the built daemon and CLI: npm run build first (npm test builds).
const PAGES = [
  'README.md',
  ...readdirSync(path.join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (page: string) => readFileSync(path.join(REPO, page), 'utf8');
// A config naming TLS files (`tls.cas`, a check's `tls.ca`, `cert`, `key`).
const namesFiles = (body: string[]) => /"(cas|ca|cert|key)":/.test(body.join('\n'));
const blocksOf = (page: string): Block[] => readBlocks(page, read(page));
const report = (ms: Mismatch[]) =>
  ms.map((m) => `${m.where}: $ ${m.command}\n--- shown\n${m.expected}\n--- real\n${m.actual}`).join('\n\n');

describe('every example in the docs follows the convention (docs/README.md)', () => {
  it.each(PAGES)('%s: shell examples are console blocks, or marked not run with a reason', (page) => {
    expect(conventionProblems(blocksOf(page))).toEqual([]);
  });

  it('a shell block without the marker, a console block without a command and an unknown marker are refused', () => {
    const page = [
      '```sh',
      'systemctl restart megaphone',
      '```',
      '<!-- doc-test: not run: needs systemd -->',
      '```sh',
      'systemctl restart megaphone',
      '```',
      '```console',
      'output without a command',
      '```',
      '<!-- doc-test: skip -->',
      '```json',
      '{}',
      '```',
    ].join('\n');
    expect(conventionProblems(readBlocks('page.md', page))).toEqual([
      'page.md:1: a shell example must be a console block, or marked not run',
      'page.md:8: a console block without a `$ ` command',
      'page.md:12: unknown doc-test marker',
    ]);
  });
});

describe('a command that writes runs once; one that only reads is retried until its output matches', () => {
  it.each([
    ['curl -s localhost:18001/groups/web', true],
    ['npx megaphone checks list | grep silenced', true],
    ["curl -s -X PUT localhost:18002 -d 'Critical disk full'", false],
    ["npx megaphone checks silence api --reason 'new release' --until-ok", false],
    ['npx megaphone checks unsilence api', false],
    ['npx megaphone maintenance on kernel upgrade', false],
    ["curl -sI localhost:18001/ | sed -n 's/^ETag: //p' > index", false],
  ])('%s: only reads %s', (command, reads) => {
    expect(onlyReads(command)).toBe(reads);
  });
});

describe('every JSON config example is valid', () => {
  // A config the page writes to megaphone.conf.json is checked where it runs: the page's daemon starts with it, in the
  // page's folder, beside the files it names (a CA the page made with openssl).
  it.each(PAGES)('%s: megaphone config check accepts each', async (page) => {
    const dir = tempDir('megaphone-doc-config-');
    const file = path.join(dir, 'megaphone.conf.json');
    try {
      for (const b of blocksOf(page)) {
        if (b.lang !== 'json' || b.marker?.kind === 'not a config') continue;
        if (b.marker?.kind === 'file' && b.marker.name === 'megaphone.conf.json' && namesFiles(b.body)) continue;
        writeFileSync(file, b.body.join('\n'));
        const r = await megaphone(['config', 'check', '--quiet', '--config', file]);
        expect(`${r.stdout}${r.stderr}`, `${page}:${b.line}: megaphone config check`).toBe('');
        expect(r.code, `${page}:${b.line}`).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('shown and real outputs are compared after the normalisations only', () => {
  it('times, dates, latencies, pids and feed indexes are normalised; `...` stands for any lines', () => {
    const shown = normalise(
      '{"date":"2026-11-30T20:16:51.101Z","latencyMs":12}\n...\nDate: Mon, 30 Nov 2026 20:16:52 GMT',
    );
    const real = normalise(
      '{"date":"2027-01-01T00:00:00.000Z","latencyMs":3}\nx\ny\nDate: Fri, 01 Jan 2027 00:00:00 GMT\n',
    );
    expect(matches(shown, real)).toBe(true);
    const feed = (n: number) => `ETag: "${n}-json"\r\nX-Megaphone-Index: ${n}\r\nid: ${n}\n{"index":${n},"check":"db"}`;
    expect(matches(normalise(feed(1796073037520)), normalise(feed(1796073099999)))).toBe(true);
    expect(matches(normalise(feed(1796073037520)), normalise(feed(1796073099999).replace('db', 'web')))).toBe(false);
    expect(matches(normalise('{"status":"OK"}'), normalise('{"status":"Critical"}'))).toBe(false);
    expect(matches(normalise('a\n...'), normalise('b'))).toBe(false);
  });
});

describe('every console example gives the output it shows', () => {
  it.each(PAGES)(
    '%s',
    async (page) => {
      const mismatches = await runPage(blocksOf(page));
      expect(mismatches, report(mismatches)).toEqual([]);
    },
    300_000,
  );

  it('a page whose shown output is wrong fails, at that command (the quickstart with one word changed)', async () => {
    const shown = '{"status":"Critical","message":"disk full"}';
    expect(read('README.md')).toContain(shown);
    const broken = read('README.md').replace(shown, '{"status":"Critical","message":"disk is full"}');
    const mismatches = await runPage(readBlocks('README.md', broken));
    expect(mismatches.map((m) => m.command)).toEqual(["curl -s -X PUT localhost:18002 -d 'Critical disk full'"]);
    expect(mismatches[0]?.actual).toBe(shown);
  }, 120_000);
});
