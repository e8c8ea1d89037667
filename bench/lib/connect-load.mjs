// Opens TCP connections to host:port, `concurrency` at a time for `seconds`, reading one line
// from each (as HAProxy's agent-check does); prints {"cps", "lines", "errors", "sample"}.
import net from 'node:net';

const [host, port, seconds = '5', concurrency = '50'] = process.argv.slice(2);
const until = performance.now() + Number(seconds) * 1000;
let lines = 0;
let errors = 0;
let sample = '';

function once() {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    let buf = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => {
      buf += d;
      const nl = buf.search(/[\r\n]/);
      if (nl < 0) return;
      sample = buf.slice(0, nl);
      lines++;
      socket.destroy();
      resolve();
    });
    socket.on('error', () => {
      errors++;
      resolve();
    });
    socket.on('close', () => resolve());
  });
}

const t0 = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (performance.now() < until) await once();
  }),
);
const secs = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify({ cps: lines / secs, lines, errors, sample }) + '\n');
