import http from 'node:http';
import net from 'node:net';

/** An answer as a client saw it. */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request on a connection of its own from the loopback address `from` (127.0.0.0/8 all reaches lo). */
export function requestFrom(
  port: number,
  from: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): { done: Promise<Reply>; close: () => void } {
  const req = http.request({
    host: '127.0.0.1',
    port,
    path,
    method: opts.method ?? 'GET',
    headers: opts.headers,
    localAddress: from,
    agent: false,
  });
  const done = new Promise<Reply>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.end();
  return { done, close: () => req.destroy() };
}

/** `n` connections from `from` that send nothing, once all are connected. */
export async function idleSockets(port: number, from: string, n: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => resolve(s));
          s.on('error', reject);
        }),
    ),
  );
}

/** A value of /metrics (`megaphone_held_connections{kind="hold"}`); NaN when it is not there. */
export async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

/** The X-Megaphone-Index of `/` now. */
export async function indexOf(url: string, path = '/'): Promise<string> {
  const res = await fetch(`${url}${path}`);
  await res.arrayBuffer();
  return res.headers.get('x-megaphone-index') as string;
}

/** An /events stream from `from`: its response head once it arrives, and everything read so far. */
export function streamFrom(
  port: number,
  from: string,
  headers: Record<string, string> = {},
): { response: Promise<http.IncomingMessage>; text: () => string; close: () => void } {
  let text = '';
  const req = http.get({ host: '127.0.0.1', port, path: '/events', headers, localAddress: from, agent: false });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.on('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('error', () => undefined);
      resolve(res);
    });
    req.on('error', reject);
  });
  return { response, text: () => text, close: () => req.destroy() };
}
