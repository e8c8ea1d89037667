import type { Adapter } from 'lowdb';
import { fileStorage } from '../storage/file.js';

/**
 * The registry's data file through the storage layer's document adapter: reads refuse an empty,
 * corrupt or `null` file; writes are the one atomic write (exclusive temp, fsync, rename, folder
 * fsync). Kept until the registry moves onto JournaledStore.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  private readonly document: Adapter<unknown>;

  constructor(readonly file: string) {
    this.document = fileStorage(file).document;
  }

  read(): Promise<T | null> {
    return this.document.read() as Promise<T | null>;
  }

  write(data: T): Promise<void> {
    return this.document.write(data);
  }
}
