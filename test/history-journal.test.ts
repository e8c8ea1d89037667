import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Journal } from '../src/history/journal.js';
import { memoryStorage } from '../src/storage/memory.js';

const silent = pino({ level: 'silent' });

describe('the history journal', () => {
  it('a line recorded after a rewrite was asked for survives it, whatever was queued before', async () => {
    const log = memoryStorage().log('history');
    let release: () => void = () => undefined;
    let reached: () => void = () => undefined;
    const atGate = new Promise<void>((r) => (reached = r));
    let gated = true;
    // A slow disk: the first append is still under way while the rest is asked for.
    const slow = {
      ...log,
      describe: log.describe,
      read: () => log.read(),
      replace: (text: string) => log.replace(text),
      close: () => log.close(),
      append: async (text: string) => {
        if (gated) {
          gated = false;
          await new Promise<void>((r) => {
            release = r;
            reached();
          });
        }
        await log.append(text);
      },
    };
    const journal = new Journal<string>(slow, silent, 60_000);
    journal.append('a');
    void journal.flush();
    await atGate;
    journal.append('b');
    void journal.flush();
    // The caller's entries at this moment: a and b; c comes after.
    void journal.rewrite(['a', 'b']);
    journal.append('c');
    release();
    await journal.close();
    const { entries } = await Journal.load(log, (v): v is string => typeof v === 'string');
    expect(entries).toEqual(['a', 'b', 'c']);
  });
});
