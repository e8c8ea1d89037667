import { parseDocument, serializeDocument } from './document-text.js';
import { checkLogName } from './log-name.js';
import type { AppendLog, DocumentAdapter, Storage } from './types.js';

/** Storage kept in memory; reusing the same object after a simulated restart finds what was written. */
export interface MemoryStorage extends Storage {
  /** What is "on disk": the document's text under "document", each log's under "log:NAME". Tests may plant text. */
  readonly files: Map<string, string>;
}

export const DOCUMENT_KEY = 'document';
export const logKey = (name: string) => `log:${name}`;

// Every operation yields once, as real I/O does, so concurrent callers interleave as they would on disk.
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export function memoryStorage(): MemoryStorage {
  const files = new Map<string, string>();
  const document: DocumentAdapter = {
    async read() {
      await tick();
      const text = files.get(DOCUMENT_KEY);
      return text === undefined ? null : parseDocument(text, 'memory');
    },
    write(data) {
      let text: string;
      try {
        text = serializeDocument(data, 'memory');
      } catch (err) {
        return Promise.reject(err);
      }
      return tick().then(() => {
        files.set(DOCUMENT_KEY, text);
        return Buffer.byteLength(text);
      });
    },
  };
  const log = (name: string): AppendLog => {
    checkLogName(name);
    const key = logKey(name);
    return {
      describe: `memory:${name}`,
      read: async () => {
        await tick();
        return files.get(key) ?? '';
      },
      append: async (text) => {
        await tick();
        files.set(key, (files.get(key) ?? '') + text);
      },
      replace: async (text) => {
        await tick();
        files.set(key, text);
      },
      close: async () => undefined,
    };
  };
  // One process holds memory: there is nothing to lock.
  const lock = async () => ({ release: async () => undefined });
  return { files, document, log, describe: 'memory', checkWritable: async () => undefined, lock };
}
