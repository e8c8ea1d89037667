import net from 'node:net';

/** What each path of the hostile service does to whoever polls it. */
export const HOSTILE_PATHS = [
  'hang',
  'slow-headers',
  'drip',
  'huge',
  'invalid-json',
  'deep-object',
  'deep-array',
  'redirect-loop',
  'latin1',
  'huge-headers',
  'close-mid-body',
  'reset',
  'long-message',
  'garbage',
] as const;
export type HostilePath = (typeof HOSTILE_PATHS)[number];

export interface HostileService {
  port: number;
  url(path: HostilePath): string;
  /** Bytes written by /huge so far (it stops when the reader goes away). */
  hugeBytesSent: number;
  close(): Promise<void>;
}

const head = (code: number, headers: Record<string, string | number>) =>
  `HTTP/1.1 ${code} X\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
const json = (body: string | Buffer) =>
  Buffer.concat([
    Buffer.from(head(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })),
    Buffer.from(body),
  ]);

const HUNDRED_MB = 100 * 1024 * 1024;

/** A raw TCP "status service" on 127.0.0.1:0 that misbehaves in every way the path names. */
export async function startHostileService(): Promise<HostileService> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const svc = { port: 0, hugeBytesSent: 0 } as HostileService;

  const serve = (socket: net.Socket, path: string) => {
    switch (path as HostilePath) {
      case 'hang':
        return;
      case 'slow-headers':
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n');
        return;
      case 'drip': {
        socket.write(head(200, { 'content-type': 'application/json', 'content-length': 1000 }));
        const t = setInterval(() => socket.writable && socket.write(' '), 1000);
        timers.add(t);
        socket.once('close', () => clearInterval(t));
        return;
      }
      case 'huge': {
        socket.write(head(200, { 'content-type': 'application/json', 'content-length': HUNDRED_MB }));
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (svc.hugeBytesSent < HUNDRED_MB && !socket.destroyed) {
            svc.hugeBytesSent += chunk.length;
            if (!socket.write(chunk)) return void socket.once('drain', pump);
          }
        };
        return pump();
      }
      case 'invalid-json':
        return socket.end(json('{"status": "OK", "message": '));
      case 'deep-object':
        return socket.end(json(`${'{"a":'.repeat(10_000)}{"status":"OK"}${'}'.repeat(10_000)}`));
      case 'deep-array':
        return socket.end(json(`${'['.repeat(30_000)}${']'.repeat(30_000)}`));
      case 'redirect-loop':
        return socket.end(head(302, { location: '/redirect-loop', 'content-length': 0 }));
      case 'latin1':
        return socket.end(json(Buffer.from('{"status":"Warning","message":"caf\xe9 \xff\xfe"}', 'latin1')));
      case 'huge-headers':
        return socket.end(head(200, { 'x-big': 'a'.repeat(256 * 1024), 'content-length': 2 }) + '{}');
      case 'close-mid-body':
        socket.write(head(200, { 'content-type': 'application/json', 'content-length': 1000 }));
        socket.write('{"status": "OK", ');
        return void setTimeout(() => socket.destroy(), 50);
      case 'reset':
        return void socket.resetAndDestroy();
      case 'long-message':
        return socket.end(json(JSON.stringify({ status: 'Critical', message: 'x'.repeat(10_000) })));
      case 'garbage':
        return socket.end('\x00\x01\x02 this is not HTTP at all\r\n\r\n');
      default:
        return socket.end(head(404, { 'content-length': 0 }));
    }
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.resume();
      const path = (/^\w+ \/([^ ?]*)/.exec(buf)?.[1] ?? '').toString();
      serve(socket, path);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  svc.port = (server.address() as net.AddressInfo).port;
  svc.url = (path) => `http://127.0.0.1:${svc.port}/${path}`;
  svc.close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return svc;
}
