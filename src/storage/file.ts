import { constants, open, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '../lib/errors.js';
import { atomicWrite, createExclusive, tempNameFor } from './atomic-write.js';
import { parseDocument, serializeDocument } from './document-text.js';
import { FileLog } from './file-log.js';
import { acquireLock } from './lock.js';
import { checkLogName, isLogName } from './log-name.js';
import { errnoCode, writeFailed } from './storage-error.js';
import type { AppendLog, DocumentAdapter, Storage, StorageLock } from './types.js';

// Every file kept beside the data file is named from its name without ".json".
const stem = (dataFile: string) => dataFile.replace(/\.json$/, '');

/** A log's file beside the data file: megaphone.db.json + "history" → megaphone.db.history.jsonl. */
export function logFileFor(dataFile: string, name: string): string {
  return `${stem(dataFile)}.${name}.jsonl`;
}

/** The lock beside the data file: megaphone.db.json → megaphone.db.lock. */
export function lockFileFor(dataFile: string): string {
  return `${stem(dataFile)}.lock`;
}

/** The log files already beside the data file, whatever their names (named as logFileFor names them). */
async function existingLogFiles(dataFile: string): Promise<string[]> {
  const dir = path.dirname(dataFile);
  // "megaphone.db." for megaphone.db.json: what every log name is put between, with ".jsonl".
  const prefix = path.basename(logFileFor(dataFile, 'x')).slice(0, -'x.jsonl'.length);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith(prefix) && n.endsWith('.jsonl') && isLogName(n.slice(prefix.length, -'.jsonl'.length)))
    .map((n) => path.join(dir, n));
}

const PROBLEMS = new Map([
  ['ENOENT', 'does not exist'],
  ['ENOTDIR', 'is not a folder'],
  ['EACCES', 'is not writable'],
  ['EPERM', 'is not writable'],
  ['EROFS', 'is on a read-only file system'],
  ['ENOSPC', 'is on a full disk'],
  ['ELOOP', 'is a symbolic link'],
]);

function cannotWrite(dataFile: string, what: string, err: unknown): StorageError {
  const code = errnoCode(err) ?? String(err);
  const problem = PROBLEMS.get(code) ?? 'cannot be written';
  return new StorageError(`data file ${dataFile} cannot be written: ${what} ${problem} (${code})`, 503, errnoCode(err));
}

// Opening a log for append (as FileLog does) writes nothing; it fails where appends would, e.g. a file of another user.
const APPEND_PROBE = constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * The data file's folder takes a new file (created exclusively, then removed) and every log already
 * beside it takes appends, or this throws naming the path and why. Renames need only the folder.
 */
async function checkWritable(dataFile: string): Promise<void> {
  const dir = path.dirname(path.resolve(dataFile));
  const probe = tempNameFor(dataFile);
  try {
    const fh = await createExclusive(probe);
    await fh.close();
    await unlink(probe);
  } catch (err) {
    throw cannotWrite(dataFile, `its folder ${dir}`, err);
  }
  for (const log of await existingLogFiles(dataFile)) {
    try {
      await (await open(log, APPEND_PROBE)).close();
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw cannotWrite(dataFile, `its log ${log}`, err);
    }
  }
}

/** The lock on `dataFile`, or a StorageError naming the PID that holds it, or the path and why it cannot be made. */
async function lock(dataFile: string): Promise<StorageLock> {
  const file = lockFileFor(dataFile);
  const busy = (pid: number) =>
    new StorageError(`data file ${dataFile} is in use by megaphone PID ${pid} (lock ${file}); refusing to start`);
  try {
    return await acquireLock(file, busy);
  } catch (err) {
    if (err instanceof StorageError) throw err;
    throw cannotWrite(dataFile, `its folder ${path.dirname(path.resolve(dataFile))}`, err);
  }
}

function fileDocument(dataFile: string): DocumentAdapter {
  return {
    async read() {
      let text: string;
      try {
        text = await readFile(dataFile, 'utf8');
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return null;
        throw new StorageError(
          `cannot read data file ${dataFile}: ${errnoCode(err) ?? String(err)}`,
          503,
          errnoCode(err),
        );
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
      return atomicWrite(dataFile, text).then(
        () => Buffer.byteLength(text),
        (err: unknown) => {
          throw writeFailed(`cannot write data file ${dataFile}`, err);
        },
      );
    },
  };
}

/** Durable state in `dataFile` (the document, fsync'd atomic writes), its logs and its lock beside it. */
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
    checkWritable: () => checkWritable(dataFile),
    lock: () => lock(dataFile),
  };
}
