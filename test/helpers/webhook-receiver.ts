import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

/** What the receiver does with request number n (1-based): answer with a code, or hang. */
export type Behaviour = (n: number) => number | 'hang';

/** A webhook receiver on 127.0.0.1:0 that records every JSON body it gets. */
export interface WebhookReceiver {
  url: string;
  received: Received[];
  /** Requests seen, including ones it hung or refused with an error code. */
  requests: number;
  /** Requests it is holding open right now. */
  hanging: number;
  behave(b: Behaviour): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(behaviour: Behaviour = () => 200): Promise<WebhookReceiver> {
  let behave = behaviour;
  const r = { received: [] as Received[], requests: 0, hanging: 0 } as WebhookReceiver;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      r.requests++;
      const what = behave(r.requests);
      if (what === 'hang') {
        r.hanging++;
        res.on('close', () => r.hanging--);
        return;
      }
      if (what >= 200 && what < 300)
        r.received.push({ body: JSON.parse(text) as Record<string, unknown>, headers: req.headers });
      res.writeHead(what).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  r.behave = (b) => {
    behave = b;
  };
  r.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return r;
}
