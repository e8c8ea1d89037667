import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../src/feed/change-feed.js';
import { FeedWatcher, HOST_RESOURCE } from '../src/feed/watcher.js';
import type { Groups } from '../src/groups/groups.js';
import type { Maintenance } from '../src/maintenance/maintenance.js';
import type { HostStatus, StatusView } from '../src/summary/host-view.js';
import { createEventBus } from '../src/table/events.js';

/** A status whose summary counts how often it was built (O(problems) in the daemon). */
function fakeView() {
  const view = {
    built: 0,
    summaryVersion: 0,
    message: 'a:Critical:down',
    summary(): HostStatus {
      view.built++;
      return { status: 'Critical', message: view.message, date: '', counts: {} } as unknown as HostStatus;
    },
    checks: () => [],
    get version() {
      return view.summaryVersion;
    },
  };
  return view;
}

const turn = () => new Promise((r) => setImmediate(r));

function setup() {
  const feed = new ChangeFeed(1);
  const bus = createEventBus();
  const host = fakeView();
  const maintenance = { events: new EventEmitter() } as unknown as Maintenance;
  const groups = { all: () => [][Symbol.iterator]() } as unknown as Groups;
  const watcher = new FeedWatcher(feed, bus, maintenance, host as unknown as StatusView, groups);
  // A change: the summary may show something else now.
  const change = (message: string) => {
    host.message = message;
    host.summaryVersion++;
    bus.emit('transition', { check: 'a', from: 'OK', to: 'Critical', message, at: 0 });
  };
  return { feed, host, watcher, change };
}

describe('FeedWatcher', () => {
  it('builds no summary for changes nobody looks at; a reader gets the moved index', async () => {
    const { feed, host, watcher, change } = setup();
    watcher.sync();
    const first = feed.index(HOST_RESOURCE);
    const builtAtFirstRead = host.built;
    for (let i = 0; i < 100; i++) {
      change(`a:Critical:down ${i}`);
      await turn();
    }
    expect(host.built).toBe(builtAtFirstRead);
    watcher.sync();
    expect(host.built).toBe(builtAtFirstRead + 1);
    expect(feed.index(HOST_RESOURCE)).toBeGreaterThan(first);
  });

  it('compares at once what a held request waits on, and wakes it', async () => {
    const { feed, host, watcher, change } = setup();
    watcher.sync();
    const index = feed.index(HOST_RESOURCE);
    let woke = false;
    feed.hold(HOST_RESOURCE, index, 60_000, () => (woke = true));
    const built = host.built;
    change('a:Critical:still down, differently');
    await turn();
    expect(woke).toBe(true);
    expect(host.built).toBe(built + 1);
    expect(feed.index(HOST_RESOURCE)).toBeGreaterThan(index);
  });

  it('leaves a held request held when the summary was rebuilt but shows the same', async () => {
    const { feed, host, watcher, change } = setup();
    watcher.sync();
    const index = feed.index(HOST_RESOURCE);
    let woke = false;
    const cancel = feed.hold(HOST_RESOURCE, index, 60_000, () => (woke = true));
    change(host.message);
    await turn();
    expect(woke).toBe(false);
    expect(feed.index(HOST_RESOURCE)).toBe(index);
    cancel();
  });
});
