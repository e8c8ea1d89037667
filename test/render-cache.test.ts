import { describe, expect, it } from 'vitest';
import { RenderCache } from '../src/integrations/render-cache.js';

/** A render whose calls are counted and whose promises the test settles. */
function deferredRender() {
  const calls: { resolve: (s: string) => void; reject: (e: Error) => void }[] = [];
  const render = () => new Promise<string>((resolve, reject) => calls.push({ resolve, reject }));
  return { calls, render };
}

describe('RenderCache', () => {
  it('callers during a render and within the window share it; after the window it renders anew', async () => {
    let now = 1000;
    const r = deferredRender();
    const cache = new RenderCache(r.render, () => now, 1000);
    const a = cache.get();
    const b = cache.get();
    expect(r.calls).toHaveLength(1);
    r.calls[0]!.resolve('one');
    expect(await a).toBe('one');
    expect(await b).toBe('one');
    now += 999;
    expect(await cache.get()).toBe('one');
    expect(r.calls).toHaveLength(1);
    now += 1;
    const c = cache.get();
    expect(r.calls).toHaveLength(2);
    r.calls[1]!.resolve('two');
    expect(await c).toBe('two');
  });

  it('invalidate makes the next call render anew even within the window', async () => {
    const r = deferredRender();
    const cache = new RenderCache(r.render, () => 0, 1000);
    const a = cache.get();
    r.calls[0]!.resolve('old');
    await a;
    cache.invalidate();
    const b = cache.get();
    expect(r.calls).toHaveLength(2);
    r.calls[1]!.resolve('new');
    expect(await b).toBe('new');
    // The fresh render is the cached one from then on.
    expect(await cache.get()).toBe('new');
    expect(r.calls).toHaveLength(2);
  });

  it('a failed render is not served again', async () => {
    const r = deferredRender();
    const cache = new RenderCache(r.render, () => 0, 1000);
    const a = cache.get();
    r.calls[0]!.reject(new Error('boom'));
    await expect(a).rejects.toThrow('boom');
    const b = cache.get();
    expect(r.calls).toHaveLength(2);
    r.calls[1]!.resolve('ok');
    expect(await b).toBe('ok');
  });
});
