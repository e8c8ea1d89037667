import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { StorageError } from '../lib/errors.js';
import { atomicWrite, createExclusive, tempNameFor } from './atomic-write.js';
import { parseDocument, serializeDocument } from './document-text.js';
import { FileLog } from './file-log.js';
import { checkLogName } from './log-name.js';
import { errnoCode, writeFailed } from './storage-error.js';
import type { AppendLog, Storage } from './types.js';

/** A log's file beside the data file: megaphone.db.json + "history" → megaphone.db.history.jsonl. */
export function logFileFor(dataFile: string, name: string): string {
  return `${dataFile.replace(/\.json$/, '')}.${name}.jsonl`;
}

const FOLDER_PROBLEMS = new Map([
  ['ENOENT', 'does not exist'],
  ['ENOTDIR', 'is not a folder'],
  ['EACCES', 'is not writable'],
  ['EPERM', 'is not writable'],
  ['EROFS', 'is on a read-only file system'],
  ['ENOSPC', 'is on a full disk'],
]);

/** The data file's folder takes a new file (created exclusively, then removed), or this throws naming it and why. */
async function checkFolderWritable(dataFile: string): Promise<void> {
  const dir = path.dirname(path.resolve(dataFile));
  const probe = tempNameFor(dataFile);
  try {
    const fh = await createExclusive(probe);
    await fh.close();
    await unlink(probe);
  } catch (err) {
    const code = errnoCode(err) ?? String(err);
    const problem = FOLDER_PROBLEMS.get(code) ?? 'cannot be written';
    throw new StorageError(`data file ${dataFile} cannot be written: its folder ${dir} ${problem} (${code})`);
  }
}

function fileDocument(dataFile: string): Adapter<unknown> {
  return {
    async read() {
      let text: string;
      try {
        text = await readFile(dataFile, 'utf8');
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return null;
        throw new StorageError(`cannot read data file ${dataFile}: ${errnoCode(err) ?? String(err)}`);
      }
      return parseDocument(text, dataFile);
    },
    write(data) {
      let text: string;
      try {
        text = serializeDocument(data, dataFile);
      } catch (err) {
        return Promise.reject(err);
      }
      return atomicWrite(dataFile, text).catch((err: unknown) => {
        throw writeFailed(`cannot write data file ${dataFile}`, err);
      });
    },
  };
}

/** Durable state in `dataFile` (the document, fsync'd atomic writes) and its logs beside it. */
export function fileStorage(dataFile: string): Storage {
  // One FileLog per name, so every user of a log shares its order and its durable length.
  const logs = new Map<string, FileLog>();
  return {
    describe: dataFile,
    document: fileDocument(dataFile),
    log(name: string): AppendLog {
      checkLogName(name);
      let log = logs.get(name);
      if (!log) logs.set(name, (log = new FileLog(logFileFor(dataFile, name))));
      return log;
    },
    checkWritable: () => checkFolderWritable(dataFile),
  };
}
