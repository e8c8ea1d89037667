import { StorageError } from '../lib/errors.js';
import { MOVE_ASIDE } from './document-text.js';

/** The key under which a snapshot records the last journaled op it includes. */
export const SNAPSHOT_SEQ = 'journalSeq';

/** The snapshot of a state's document as of op `seq` (a shallow copy: the state's own object is left alone). */
export function withSeq(doc: object, seq: number): object {
  return { ...doc, [SNAPSHOT_SEQ]: seq };
}

/** Splits the seq off a snapshot (0 when absent: a file from before the journal); refuses all but a JSON object. */
export function splitSnapshot(json: unknown, describe: string): { seq: number; doc: unknown } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new StorageError(
      `data file ${describe} holds ${JSON.stringify(json)?.slice(0, 40)}, not a document object; ${MOVE_ASIDE}`,
    );
  }
  if (!Object.hasOwn(json, SNAPSHOT_SEQ)) return { seq: 0, doc: json };
  const { [SNAPSHOT_SEQ]: seq, ...doc } = json as Record<string, unknown>;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) {
    throw new StorageError(
      `data file ${describe} has ${SNAPSHOT_SEQ} ${JSON.stringify(seq)}, not a count of ops; ${MOVE_ASIDE}`,
    );
  }
  return { seq: seq as number, doc };
}
