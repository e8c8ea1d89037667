import { StorageError } from '../lib/errors.js';

/** One journaled op: its sequence number (1, 2, 3 … across compactions) and the op as parsed. */
export interface JournalEntry<Op> {
  seq: number;
  op: Op;
}

export interface ReadJournal<Op> {
  entries: JournalEntry<Op>[];
  /** The text up to the end of the last good line: what the journal should hold. */
  kept: string;
  /** True when a torn or unparsable last line was left out of `kept`. */
  torn: boolean;
}

/** The line a journaled op is stored as; `opJson` is the op's JSON text. */
export const journalLine = (seq: number, opJson: string) => `{"seq":${seq},"op":${opJson}}\n`;

function parseLine<Op>(line: string, parseOp: (json: unknown) => Op): JournalEntry<Op> {
  const value = JSON.parse(line) as { seq?: unknown; op?: unknown } | null;
  if (
    typeof value !== 'object' ||
    value === null ||
    !Number.isSafeInteger(value.seq) ||
    (value.seq as number) < 1 ||
    !('op' in value)
  ) {
    throw new Error('not a {"seq","op"} entry');
  }
  return { seq: value.seq as number, op: parseOp(value.op) };
}

/**
 * Reads a journal written by `journalLine`. A torn or unparsable LAST line is left out (a crash
 * mid-append); any other bad line, or a sequence that skips or repeats (ops lost or doubled),
 * throws a StorageError naming the file and line. `after` is the last seq the snapshot holds.
 */
export function readJournal<Op>(
  text: string,
  describe: string,
  after: number,
  parseOp: (json: unknown) => Op,
): ReadJournal<Op> {
  const refuse = (lineNo: number, why: string) =>
    new StorageError(
      `journal ${describe} line ${lineNo} ${why}; refusing to start (the data file and journal are left as they are)`,
    );
  const entries: JournalEntry<Op>[] = [];
  const lines = text.split('\n');
  // What follows the last newline: '' for a whole journal, else a torn append.
  const tail = lines.pop() as string;
  let kept = 0;
  let torn = tail !== '';
  let expected = -1;
  for (const [i, line] of lines.entries()) {
    let entry: JournalEntry<Op>;
    try {
      entry = parseLine(line, parseOp);
    } catch (err) {
      if (i === lines.length - 1 && !torn) {
        torn = true;
        break;
      }
      throw refuse(i + 1, `is corrupt (${(err as Error).message})`);
    }
    if (expected === -1 && entry.seq > after + 1)
      throw refuse(
        i + 1,
        `starts at op ${entry.seq} but the data file ends at op ${after}: ops ${after + 1}–${entry.seq - 1} are ` +
          `missing`,
      );
    if (expected !== -1 && entry.seq !== expected)
      throw refuse(i + 1, `holds op ${entry.seq} where op ${expected} was due`);
    expected = entry.seq + 1;
    entries.push(entry);
    kept += line.length + 1;
  }
  return { entries, kept: text.slice(0, kept), torn };
}
