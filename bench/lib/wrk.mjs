import { execFile } from 'node:child_process';

function toMs(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return { us: n / 1000, ms: n, s: n * 1000, m: n * 60_000 }[m[2]];
}

/**
 * Runs `wrk --latency` and returns requests/s, p50 and p99 in ms, and errors.
 * `headers` are extra request headers, e.g. { accept: 'application/health+json' }.
 */
export function wrk(url, { threads = 2, connections = 50, seconds = 5, headers = {} } = {}) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (seconds + 30) * 1000 }, (err, stdout) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}\n${stdout}`));
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
      const p50 = toMs(/^\s+50%\s+(\S+)/m.exec(stdout)?.[1] ?? '');
      const p99 = toMs(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? '');
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
      const sockErr = /Socket errors: (.*)/.exec(stdout)?.[1];
      resolve({ rps, p50, p99, non2xx, socketErrors: sockErr ?? '', args: ['wrk', ...args].join(' ') });
    });
  });
}
