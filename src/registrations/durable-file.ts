import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { StorageError } from '../lib/errors.js';

/**
 * A lowdb adapter that makes each write durable: write a temp file, fsync it, rename it over
 * the data file, fsync the folder. A crash leaves either the old file or the new one, whole.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  private readonly tmp: string;

  constructor(readonly file: string) {
    this.tmp = `${file}.tmp`;
  }

  /** Null when the file does not exist; throws StorageError when it is empty or not JSON. */
  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StorageError(`cannot read data file ${this.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (text.trim() === '') throw new StorageError(`data file ${this.file} is empty; refusing to start (move it aside to start empty)`);
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new StorageError(`data file ${this.file} is corrupt (${(err as Error).message}); refusing to start (move it aside to start empty)`);
    }
  }

  async write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    try {
      const fh = await open(this.tmp, 'w', 0o600);
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(this.tmp, this.file);
      const dir = await open(path.dirname(this.file), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (err) {
      await unlink(this.tmp).catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      throw new StorageError(`cannot write data file ${this.file}: ${code ?? String(err)}`, code === 'ENOSPC' ? 507 : 503);
    }
  }
}
