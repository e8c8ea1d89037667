import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { promSeconds, readRules, selectedMetrics, type PromRule } from './helpers/promql.js';

const DEPLOY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../deploy/prometheus');
const rules = readRules(readFileSync(path.join(DEPLOY, 'megaphone.rules.yml'), 'utf8'));
const alerts = rules.filter((r) => r.alert);
const byName = (name: string) => alerts.find((r) => r.alert === name) as PromRule;

const WORDS: Record<string, number> = { a: 1, an: 1, one: 1, the: 1 };
const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800 };

/** The durations a text states in words ("5 minutes", "the last hour", "a day"), in seconds; templates left out. */
function statedDurations(text: string): { words: string; seconds: number }[] {
  const prose = text.replace(/\{\{.*?\}\}/gs, ' ');
  return [...prose.matchAll(/\b(\d+|a|an|one|the)\s+(?:last\s+)?(second|minute|hour|day|week)s?\b/gi)].map((m) => ({
    words: m[0],
    seconds:
      (WORDS[(m[1] as string).toLowerCase()] ?? Number(m[1])) * (UNIT_SECONDS[(m[2] as string).toLowerCase()] ?? 0),
  }));
}

/** The ranges and offsets an expression computes over, in seconds, those of the recording rules it reads included. */
function exprDurations(expr: string): Set<number> {
  const recorded = rules.filter((r) => r.record && selectedMetrics(expr).has(r.record)).map((r) => r.expr);
  return new Set(
    [expr, ...recorded].flatMap((e) =>
      [...e.matchAll(/\[(\w+)(?::\w+)?\]|offset\s+(\w+)/g)].map((m) => promSeconds((m[1] ?? m[2]) as string)),
    ),
  );
}

describe('the alert texts say nothing their rule does not decide', () => {
  it.each(alerts.map((r) => [r.alert as string, r] as const))(
    '%s states no duration but the ranges of its expression (never its `for`)',
    (_name, rule) => {
      const ranges = exprDurations(rule.expr);
      const stray = Object.values(rule.annotations ?? {})
        .flatMap(statedDurations)
        .filter((d) => !ranges.has(d.seconds));
      expect(stray.map((d) => d.words)).toEqual([]);
    },
  );

  it.each(alerts.map((r) => [r.alert as string, r] as const))(
    '%s reads how long it has been active from its own ALERTS_FOR_STATE',
    (name, rule) => {
      const text = Object.values(rule.annotations ?? {}).join('\n');
      for (const m of text.matchAll(/ALERTS_FOR_STATE\{alertname=\\"(\w+)\\"/g)) expect(m[1]).toBe(name);
    },
  );

  it('finds what the texts used to say: "for 5 minutes" on a rule with `for: 5m` and no 5m range', () => {
    expect(statedDurations('host Critical for 5 minutes, over a day, {{ "[10m]" }} the last hour')).toEqual([
      { words: '5 minutes', seconds: 300 },
      { words: 'a day', seconds: 86_400 },
      { words: 'the last hour', seconds: 3600 },
    ]);
    expect([...exprDurations('rate(x[5m]) - y offset 1h')]).toEqual([300, 3600]);
  });
});

describe("pages built on megaphone's own series do not resolve when megaphone stops", () => {
  const prometheus = parse(readFileSync(path.join(DEPLOY, 'prometheus.yml'), 'utf8')) as {
    global: { scrape_interval: string; evaluation_interval: string };
  };
  // Its series go stale at the first failed scrape; MegaphoneDown fires its `for` after that, at an evaluation.
  const downFiresWithin =
    promSeconds(byName('MegaphoneDown').for as string) +
    promSeconds(prometheus.global.scrape_interval) +
    promSeconds(prometheus.global.evaluation_interval);
  const pages = alerts.filter(
    (r) => r.labels?.severity === 'page' && [...selectedMetrics(r.expr)].some((m) => m.startsWith('megaphone_')),
  );

  it('covers the host and the group pages', () => {
    expect(pages.map((r) => r.alert).sort()).toEqual(['MegaphoneGroupBelowMinHealthy', 'MegaphoneHostCritical']);
  });

  it.each(pages.map((r) => [r.alert as string, r] as const))(
    `%s keeps firing longer than MegaphoneDown takes to fire`,
    (_name, rule) => {
      expect(rule.keep_firing_for).toBeDefined();
      expect(promSeconds(rule.keep_firing_for as string)).toBeGreaterThan(downFiresWithin);
    },
  );
});
