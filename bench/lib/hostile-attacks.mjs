// The attacks of the "hostile" bench (bench/hostile.mjs), one entry each: add yours to ATTACKS.
// An entry: { name, what, run({port, agentPort, until}) → counts, and optionally agent: true (the
// agent port on, a group `web`), history: N (N transitions seeded), config: {...} (merged) }.
// An attack runs in a process of its own (bench/lib/hostile-attacker.mjs) against the built daemon until
// `until` resolves, then closes everything and returns counts for the report. Attackers use loopback
// addresses from 127.0.2.0 up (Linux routes all of 127/8 to lo); the balancer polls from 127.0.9.x.
import http from 'node:http';
import net from 'node:net';

const HOST = '127.0.0.1';
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/** The index of `/` now (what a blocking query waits past). */
function currentIndex(port) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: HOST, port, path: '/', agent: false }, (res) => {
        res.resume();
        resolve(res.headers['x-megaphone-index']);
      })
      .on('error', reject);
  });
}

/** Runs `once` over and over until `until` resolves, `n` loops at a time. */
async function loops(n, until, once) {
  let stop = false;
  void until.then(() => (stop = true));
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      while (!stop) await once(i);
    }),
  );
}

/** One connection from `from` that writes `bytes`, lives until the daemon or `until` closes it (or `ms`). */
function pipelined(port, from, bytes, until, ms = 10_000) {
  return new Promise((resolve) => {
    const s = net.connect({ host: HOST, port, localAddress: from });
    let got = 0;
    s.on('data', (d) => (got += d.length));
    s.on('error', () => undefined);
    const timer = setTimeout(() => s.destroy(), ms);
    void until.then(() => s.destroy());
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.write(bytes);
  });
}

/** `n` addresses from 127.0.`third`.1 on, 100 per /24. */
const addresses = (third, n) =>
  Array.from({ length: n }, (_, i) => `127.0.${third + Math.floor(i / 100)}.${(i % 100) + 1}`);

export const ATTACKS = [
  {
    name: 'none',
    what: 'no attack: the balancer alone (the control)',
    async run({ until }) {
      await until;
      return {};
    },
  },
  {
    name: 'pipelined-holds',
    what:
      '4 sockets at a time from 127.0.2.1-4, each 200 000 pipelined GET /?index=N&wait=10m, ' +
      'a new one 100 ms after each is closed',
    async run({ port, until }) {
      const index = await currentIndex(port);
      const flood = Buffer.from(`GET /?index=${index}&wait=10m HTTP/1.1\r\nHost: bench\r\n\r\n`.repeat(200_000));
      let connections = 0;
      await loops(4, until, async (i) => {
        connections++;
        await pipelined(port, `127.0.2.${i + 1}`, flood, until);
        await pause(100);
      });
      return { connections, mbSentEach: +(flood.length / 1e6).toFixed(1) };
    },
  },
  {
    name: 'pipelined-streams',
    what:
      '4 sockets at a time from 127.0.2.1-4, each 1 000 pipelined GET /events, closed after 200 ms, ' +
      'a new one 100 ms after each is closed',
    async run({ port, until }) {
      const flood = Buffer.from('GET /events HTTP/1.1\r\nHost: bench\r\n\r\n'.repeat(1000));
      let connections = 0;
      await loops(4, until, async (i) => {
        connections++;
        await pipelined(port, `127.0.2.${i + 1}`, flood, until, 200);
        await pause(100);
      });
      return { connections };
    },
  },
  {
    name: 'resume-loops',
    what:
      '100 loops from 127.0.2.1 of GET /events with Last-Event-ID: 0 (100 000 transitions in history), ' +
      'each read to its 1000th event',
    history: 100_000,
    async run({ port, until }) {
      let resumes = 0;
      let events = 0;
      await loops(100, until, () => {
        resumes++;
        return new Promise((resolve) => {
          const req = http.get({
            host: HOST,
            port,
            path: '/events',
            headers: { 'last-event-id': '0' },
            localAddress: '127.0.2.1',
            agent: false,
          });
          let seen = 0;
          const done = () => (req.destroy(), resolve());
          const timer = setTimeout(done, 10_000);
          void until.then(done);
          req.on('response', (res) => {
            res.setEncoding('utf8');
            res.on('data', (d) => {
              const n = d.split('\nid: ').length - 1;
              seen += n;
              events += n;
              if (seen < 1000) return;
              clearTimeout(timer);
              done();
            });
            res.on('error', () => undefined);
          });
          req.on('error', () => (clearTimeout(timer), resolve()));
        });
      });
      return { resumes, events };
    },
  },
  {
    name: 'hold-flood',
    what:
      '120 addresses (127.0.3.1-127.0.4.20) × 140 blocking queries each (1 000 new a second), past every ' +
      'budget; each re-asked 1 s after its answer',
    async run({ port, until }) {
      const index = await currentIndex(port);
      const statuses = new Map();
      const from = addresses(3, 120);
      let stop = false;
      void until.then(() => (stop = true));
      const open = new Set();
      const ask = (address) =>
        new Promise((resolve) => {
          const req = http.get({
            host: HOST,
            port,
            path: `/?index=${index}&wait=10m`,
            localAddress: address,
            agent: false,
          });
          open.add(req);
          const end = (status) => {
            open.delete(req);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            resolve();
          };
          req.on('response', (res) => {
            res.resume();
            res.on('end', () => end(res.statusCode));
            res.on('error', () => end('reset'));
          });
          req.on('error', (err) => end(stop ? 'closed' : err.code));
        });
      void until.then(() => open.forEach((r) => r.destroy()));
      // 1 000 new connections a second: a burst of 16 800 at once overflows the kernel's accept
      // queue (SYN retries of 1 s, 3 s, ...) for everyone, the balancer too, whatever megaphone does.
      await Promise.all(
        from.flatMap((address, a) =>
          Array.from({ length: 140 }, async (_, i) => {
            await pause(a * 140 + i);
            while (!stop) {
              await ask(address);
              if (!stop) await pause(1000);
            }
          }),
        ),
      );
      return { asked: Object.fromEntries(statuses) };
    },
  },
  {
    name: 'agent-idle',
    what: '700 idle agent connections from 200 addresses (127.0.5.1-127.0.6.100), kept open, reopened when closed',
    agent: true,
    async run({ agentPort, until }) {
      const from = addresses(5, 200);
      let connections = 0;
      await loops(700, until, (i) => {
        connections++;
        return new Promise((resolve) => {
          const s = net.connect({ host: HOST, port: agentPort, localAddress: from[i % 200], allowHalfOpen: true });
          s.on('error', () => undefined);
          s.resume();
          void until.then(() => s.destroy());
          s.on('close', resolve);
        });
      });
      return { connections };
    },
  },
];
