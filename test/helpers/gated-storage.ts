import type { Storage } from '../../src/storage/types.js';

/** A Storage whose document writes or log appends a test can hold, and which records what was appended. */
export interface GatedStorage extends Storage {
  hold(what: 'document' | 'append'): void;
  release(what: 'document' | 'append'): void;
  /** Writes or appends waiting at a held gate. */
  waiting(what: 'document' | 'append'): number;
  readonly appended: string[];
  documentWrites: number;
}

export function gatedStorage(inner: Storage): GatedStorage {
  const gates = new Map<string, { open: Promise<void>; release: () => void; waiting: number }>();
  const pass = async (what: string) => {
    const gate = gates.get(what);
    if (!gate) return;
    gate.waiting++;
    await gate.open;
    gate.waiting--;
  };
  const storage: GatedStorage = {
    describe: inner.describe,
    appended: [],
    documentWrites: 0,
    hold(what) {
      let release = () => {};
      const open = new Promise<void>((r) => (release = r));
      gates.set(what, { open, release, waiting: 0 });
    },
    release(what) {
      gates.get(what)?.release();
      gates.delete(what);
    },
    waiting: (what) => gates.get(what)?.waiting ?? 0,
    document: {
      read: () => inner.document.read(),
      write(data) {
        storage.documentWrites++;
        // Copy now, as the contract says a write does, then wait at the gate.
        const copy: unknown = JSON.parse(JSON.stringify(data));
        return pass('document').then(() => inner.document.write(copy));
      },
    },
    log(name) {
      const log = inner.log(name);
      return {
        describe: log.describe,
        read: () => log.read(),
        append: async (text) => {
          await pass('append');
          await log.append(text);
          storage.appended.push(text);
        },
        replace: (text) => log.replace(text),
        close: () => log.close(),
      };
    },
    checkWritable: () => inner.checkWritable(),
    lock: () => inner.lock(),
  };
  return storage;
}
