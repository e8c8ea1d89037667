import { StorageError } from '../lib/errors.js';

/** How every refusal to start on a bad data file ends. */
export const MOVE_ASIDE = 'refusing to start (move it aside to start empty)';

/**
 * The document held in `text`, for every Storage alike. Empty, unparsable and JSON `null` are
 * refused (null is how an Adapter says "absent", so no document may be null).
 */
export function parseDocument(text: string, describe: string): unknown {
  if (text.trim() === '') throw new StorageError(`data file ${describe} is empty; ${MOVE_ASIDE}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StorageError(`data file ${describe} is corrupt (${(err as Error).message}); ${MOVE_ASIDE}`);
  }
  if (value === null) throw new StorageError(`data file ${describe} holds JSON null, not a document; ${MOVE_ASIDE}`);
  return value;
}

/** The text a document is stored as; a value JSON cannot hold (undefined, a cycle) is refused with 503. */
export function serializeDocument(data: unknown, describe: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (err) {
    throw new StorageError(`cannot write data file ${describe}: ${(err as Error).message}`);
  }
  if (text === undefined || text === 'null')
    throw new StorageError(`cannot write data file ${describe}: ${String(data)} is not a JSON document`);
  return text;
}
