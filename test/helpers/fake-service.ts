import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReply {
  code?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer this many ms after the request arrives (a slow target). */
  delayMs?: number;
}

/** A real status service on 127.0.0.1:0 whose reply the test sets. */
export interface FakeService {
  url: string;
  port: number;
  /** Sets what every request gets from now on. A string body is sent as-is; others as JSON. */
  reply(r: FakeReply): void;
  /** Shorthand: `{"status", "message"}` with 200. */
  status(status: string, message?: string): void;
  hits: number;
  close(): Promise<void>;
}

export async function startFakeService(
  initial: FakeReply = { body: { status: 'OK', message: 'fine' } },
  path = '/status',
): Promise<FakeService> {
  let current = initial;
  const svc = { hits: 0 } as FakeService;
  const server = http.createServer((req, res) => {
    svc.hits++;
    const r = current;
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? {});
    const answer = () => {
      res.writeHead(r.code ?? 200, { 'content-type': 'application/json', ...r.headers });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (r.delayMs) setTimeout(answer, r.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  svc.port = port;
  svc.url = `http://127.0.0.1:${port}${path}`;
  svc.reply = (r) => {
    current = r;
  };
  svc.status = (status, message = `it is ${status}`) => {
    current = { body: { status, message } };
  };
  svc.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return svc;
}
