import { constants, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '../lib/errors.js';
import { atomicWrite, syncFolder } from './atomic-write.js';
import { errnoCode, writeFailed } from './storage-error.js';
import type { AppendLog } from './types.js';

// Appends always land at the end; a symlink at the log's name is refused (ELOOP), never followed.
const APPEND = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW;

/** An AppendLog in one file: each append is written, fdatasync'd, and cut back off if it fails. */
export class FileLog implements AppendLog {
  private fh: FileHandle | undefined;
  /** Length known to be on disk whole: what a failed append is cut back to. */
  private durable = 0;
  /** A failed append may have left bytes past `durable` that could not be cut off yet. */
  private dirty = false;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly describe: string) {}

  read(): Promise<string> {
    return this.serial(async () => {
      try {
        // A refused append is never seen, not even by a read.
        await this.cutBack();
        return await readFile(this.describe, 'utf8');
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return '';
        throw new StorageError(`cannot read ${this.describe}: ${errnoCode(err) ?? String(err)}`, 503, errnoCode(err));
      }
    });
  }

  append(text: string): Promise<void> {
    return this.serial(async () => {
      if (text === '') return;
      const bytes = Buffer.from(text, 'utf8');
      try {
        await this.cutBack();
        const fh = await this.handle();
        this.dirty = true;
        // A file write may be short (a size limit, a full disk): write the rest or fail.
        for (let off = 0; off < bytes.length;) {
          const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
          if (bytesWritten === 0) throw Object.assign(new Error('write wrote nothing'), { code: 'EIO' });
          off += bytesWritten;
        }
        await fh.datasync();
        this.durable += bytes.length;
        this.dirty = false;
      } catch (err) {
        // Best effort now; if it fails, the next operation cuts back before doing anything else.
        await this.cutBack().catch(() => undefined);
        throw writeFailed(`cannot append to ${this.describe}`, err);
      }
    });
  }

  replace(text: string): Promise<void> {
    return this.serial(async () => {
      try {
        await atomicWrite(this.describe, text);
      } catch (err) {
        throw writeFailed(`cannot replace ${this.describe}`, err);
      }
      // The open handle points at the file that was replaced.
      const old = this.fh;
      this.fh = undefined;
      this.dirty = false;
      await old?.close().catch(() => undefined);
    });
  }

  close(): Promise<void> {
    return this.serial(async () => {
      await this.cutBack().catch(() => undefined);
      const fh = this.fh;
      this.fh = undefined;
      await fh?.close();
    });
  }

  private async handle(): Promise<FileHandle> {
    if (this.fh) {
      // Appending to a file someone removed would acknowledge writes that no restart can read.
      if ((await this.fh.stat()).nlink === 0) {
        throw Object.assign(new Error(`${this.describe} was removed while megaphone ran`), { code: 'ENOENT' });
      }
      return this.fh;
    }
    const fh = await open(this.describe, APPEND, 0o600);
    try {
      this.durable = (await fh.stat()).size;
      // The file may have just been created: make its name durable before anything is acknowledged.
      await syncFolder(path.dirname(this.describe));
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    this.fh = fh;
    return fh;
  }

  private async cutBack(): Promise<void> {
    if (!this.dirty || !this.fh) return;
    await this.fh.truncate(this.durable);
    await this.fh.datasync();
    this.dirty = false;
  }

  // One operation at a time, in call order; a failure does not stop the ones queued after it.
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op, op);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
