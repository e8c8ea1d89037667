import { readFileSync } from 'node:fs';
import { applyDataOp, stateFromDocument, type DataOp, type DataState } from '../../src/registrations/data-file.js';
import { logFileFor } from '../../src/storage/file.js';
import { readJournal } from '../../src/storage/journal-lines.js';
import { splitSnapshot } from '../../src/storage/snapshot.js';

const readOrEmpty = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/**
 * What is on disk for a data file, read without writing anything: the snapshot and every op of its
 * journal after it, as a restart would replay them. What a test asserts is durable.
 */
export function readStored(dataFile: string): DataState {
  const text = readOrEmpty(dataFile);
  const { seq, doc } =
    text === '' ? { seq: 0, doc: { version: 1, checks: {} } } : splitSnapshot(JSON.parse(text), dataFile);
  const state = stateFromDocument(doc);
  const journal = readJournal(readOrEmpty(logFileFor(dataFile, 'journal')), dataFile, seq, (json) => json as DataOp);
  for (const { seq: at, op } of journal.entries) if (at > seq) applyDataOp(state, op);
  return state;
}

/** The stored registrations as the data file's `checks` object would show them. */
export const storedChecks = (dataFile: string): Record<string, unknown> =>
  Object.fromEntries(readStored(dataFile).checks);
