import { parse } from 'yaml';
import { parser } from '@prometheus-io/lezer-promql';

/** One rule of a Prometheus rules file. */
export interface PromRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const PROM_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds in a Prometheus duration ("90s", "5m", "1h30m"); throws on anything else. */
export function promSeconds(duration: string): number {
  const parts = [...duration.matchAll(/(\d+)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration)
    throw new Error(`not a duration: ${duration}`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (PROM_UNITS[p[2] as string] as number), 0);
}

/** Every rule of a Prometheus rules file (all groups). */
export function readRules(yamlText: string): PromRule[] {
  const file = parse(yamlText) as { groups: { rules: PromRule[] }[] };
  return file.groups.flatMap((g) => g.rules);
}

/** The PromQL a rule runs: its expr, and each query its annotations build with printf (each %q as a string). */
export function ruleQueries(rule: PromRule): string[] {
  const templated = Object.values(rule.annotations ?? {}).flatMap((text) =>
    [...text.matchAll(/printf "((?:[^"\\]|\\.)*)"/g)].map((m) =>
      (JSON.parse(`"${m[1]}"`) as string).replaceAll('%q', '"x"'),
    ),
  );
  return [rule.expr, ...templated];
}

/** The metric names a PromQL expression selects; throws on a syntax error, naming the expression. */
export function selectedMetrics(expr: string): Set<string> {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`PromQL syntax error at ${node.from} in ${JSON.stringify(expr)}`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.add(expr.slice(node.from, node.to));
    },
  });
  return names;
}

/** The sample names of a Prometheus text exposition (`foo_total`, `bar_bucket`, ...). */
export function exposedMetrics(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}
