/**
 * Rewrites the shown output of every console example of the pages named with what they really print
 * (ports as in the docs): `npm run build && npx tsx test/helpers/doc-update.ts README.md docs/checks.md`.
 * Read the diff before committing it: the docs tests then hold the docs to it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readBlocks, type Step } from './doc-blocks.js';
import { REPO, runPage, type StepOutcome } from './doc-runner.js';

for (const page of process.argv.slice(2)) {
  const file = path.resolve(REPO, page);
  const lines = readFileSync(file, 'utf8').split('\n');
  const ran: Array<[Step, StepOutcome]> = [];
  const mismatches = await runPage(readBlocks(page, lines.join('\n')), (step, outcome) => ran.push([step, outcome]));
  // Bottom up, so earlier line numbers stay right.
  for (const [step, outcome] of ran.reverse()) {
    const first = step.line + step.command.split('\n').length - 1;
    lines.splice(first, step.expected.length, ...outcome.raw);
  }
  writeFileSync(file, lines.join('\n'));
  process.stdout.write(`${page}: ${ran.length} commands run, ${mismatches.length} outputs differed\n`);
}
