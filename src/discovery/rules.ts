import { compileCheck } from '../checks/compile.js';
import { parseRegistration, type Registration } from '../checks/spec.js';
import { ID_RULE, isCheckId } from '../checks/id.js';
import { MegaphoneError } from '../lib/errors.js';
import type { ProcessInfo } from './proc.js';
import type { RuleConfig } from './rule-schema.js';
import {
  parseTemplate,
  parseValueTemplate,
  renderTemplate,
  type Template,
  type TemplateVars,
  type ValueTemplate,
} from './template.js';

/** A bad rule: `field` is the dotted path inside the rule (e.g. "match.cmd"). */
export class RuleError extends Error {
  readonly code = 'E_RULE';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RuleError';
  }
}

/** A rule ready to run: regexes compiled, templates parsed. */
export interface CompiledRule {
  index: number;
  /** How errors, logs and checks name the rule: `discovery.rules[0] (id "nginx")`. */
  label: string;
  config: RuleConfig;
  name?: (p: ProcessInfo) => boolean;
  cmd?: RegExp;
  id: Template;
  url: ValueTemplate;
  /** The check's id does not depend on any process: it exists even before one is seen. */
  staticId: boolean;
}

// Values used to try a rule's templates at start-up.
const SAMPLE: TemplateVars = { pid: 4242, name: 'name', port: 8080 };
const SAMPLE_DEFAULTS = { interval: 10_000, timeout: 3_000 };

function regex(source: string, flags: string, field: string): RegExp {
  // g and y make test() stateful: the same process would match only every other time.
  if (/[gy]/.test(flags))
    throw new RuleError(field, `must not use the g or y regex flags, got ${JSON.stringify(flags)}`);
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new RuleError(field, `must be a valid regular expression: ${(err as Error).message}`);
  }
}

function nameMatcher(spec: string): (p: ProcessInfo) => boolean {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(spec);
  if (!m) return (p) => p.name === spec || p.comm === spec;
  const re = regex(m[1]!, m[2]!, 'match.name');
  return (p) => re.test(p.name) || re.test(p.comm);
}

function template<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new RuleError(field, (err as Error).message);
  }
}

/** Ids are 1-128 of A-Z a-z 0-9 . _ : -; a process name with other characters gets "_" for them. */
export const idSafe = (v: string) => v.replace(/[^A-Za-z0-9._:-]/g, '_');

export function renderId(rule: CompiledRule, vars: TemplateVars): string {
  return renderTemplate(rule.id, vars, idSafe);
}

/** The registration a rule makes for a process; throws a 400 MegaphoneError if it is invalid. */
export function renderRegistration(rule: CompiledRule, vars: TemplateVars): Registration {
  const { interval, timeout, rise, fall, dependsOn, latency, tls } = rule.config;
  const extra = Object.fromEntries(
    Object.entries({ interval, timeout, rise, fall, dependsOn, latency, tls }).filter(([, v]) => v !== undefined),
  );
  return parseRegistration({ id: renderId(rule, vars), url: rule.url.render(vars, encodeURIComponent), ...extra });
}

/** Compiles one rule; throws RuleError naming the field. */
export function compileRule(config: RuleConfig, index: number): CompiledRule {
  const label = `discovery.rules[${index}] (id ${JSON.stringify(config.id)})`;
  const name = config.match.name === undefined ? undefined : nameMatcher(config.match.name);
  const cmd = config.match.cmd === undefined ? undefined : regex(config.match.cmd, '', 'match.cmd');
  const id = template('id', () => parseTemplate(config.id));
  if (id.uses.has('port'))
    throw new RuleError(
      'id',
      'must not use {port}: a restart on a new port would make a new check; use {pid} or {name}',
    );
  const url = template('url', () => parseValueTemplate(config.url));
  const rule: CompiledRule = { index, label, config, name, cmd, id, url, staticId: id.uses.size === 0 };
  const sampleId = renderId(rule, SAMPLE);
  if (!isCheckId(sampleId))
    throw new RuleError('id', `must yield a valid check id (${ID_RULE}), yields ${JSON.stringify(sampleId)}`);
  try {
    compileCheck(renderRegistration(rule, SAMPLE), 'discovery', SAMPLE_DEFAULTS);
  } catch (err) {
    if (!(err instanceof MegaphoneError)) throw err;
    // Errors name their field in backticks: interval, timeout, rise, fall, latency and tls are the rule's own keys.
    const field = /^`(interval|timeout|rise|fall|latency|tls)[`.]/.exec(err.message)?.[1];
    if (field) throw new RuleError(field, err.message.replace(/^`[a-z]+` /, '').replace(/, got .*$/s, ''));
    throw new RuleError(
      'url',
      `must yield a valid check url: ${err.message.replace(/, got .*$/s, '')} (with ${JSON.stringify(SAMPLE)} it ` +
        `yields ${JSON.stringify(rule.url.render(SAMPLE, encodeURIComponent))})`,
    );
  }
  return rule;
}

/** Compiles every rule of a validated config (the schema has already checked them). */
export function compileRules(rules: RuleConfig[]): CompiledRule[] {
  return rules.map((r, i) => compileRule(r, i));
}

/** Does the process satisfy every condition the rule gives? */
export function ruleMatches(rule: CompiledRule, p: ProcessInfo): boolean {
  const { user } = rule.config.match;
  if (rule.name && !rule.name(p)) return false;
  if (rule.cmd && !rule.cmd.test(p.cmd)) return false;
  if (user !== undefined) {
    const uid = typeof user === 'number' ? user : /^\d+$/.test(user) ? Number(user) : undefined;
    if (uid !== undefined ? p.uid !== uid : p.user !== user) return false;
  }
  return true;
}
