import { loadConfig } from '../config/load.js';
import { evaluateRules } from './evaluate.js';
import { procReader, psListReader } from './reader.js';
import { existsSync } from 'node:fs';
import { formatReport, reportRules } from './report.js';
import { compileRules } from './rules.js';

/** `megaphone discover`: what each rule matches right now. Reads only; changes nothing. */
export async function discoverCommand(opts: { config?: string; json?: boolean }): Promise<void> {
  const { config } = await loadConfig({ configFlag: opts.config });
  const rules = compileRules(config.discovery.rules);
  const ev = await evaluateRules(rules, existsSync('/proc/self/stat') ? procReader() : psListReader());
  const reports = reportRules(rules, ev);
  process.stdout.write(
    opts.json ? `${JSON.stringify({ processes: ev.processes, rules: reports }, null, 2)}\n` : formatReport(reports, ev),
  );
}
