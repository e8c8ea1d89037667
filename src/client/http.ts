import { describeTransportError } from '../lib/transport-error.js';

/** Where the CLI finds the daemon unless told: --url, then $MEGAPHONE_URL, then this. */
export const DEFAULT_URL = 'http://127.0.0.1:18001';

/** Most bytes the CLI reads of a reply (1 MB): enough for any /checks list it prints. */
const MAX_REPLY = 1024 * 1024;

/** The daemon could not be reached, or answered something that is not megaphone. */
export class ClientError extends Error {
  /** E_UNREACHABLE: nothing answered; E_BAD_REPLY: something answered that is not megaphone. */
  readonly code: 'E_UNREACHABLE' | 'E_BAD_REPLY';
  constructor(
    message: string,
    readonly unreachable: boolean,
  ) {
    super(message);
    this.name = 'ClientError';
    this.code = unreachable ? 'E_UNREACHABLE' : 'E_BAD_REPLY';
  }
}

export interface Reply {
  status: number;
  type: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export function baseUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.MEGAPHONE_URL ?? DEFAULT_URL;
}

/** One request to the daemon within `timeoutMs`; throws ClientError when it cannot be reached. */
export async function call(
  url: string,
  opts: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; body?: unknown; accept?: string; timeoutMs: number },
): Promise<Reply> {
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new ClientError(`--url must be an http(s) URL, got ${JSON.stringify(url)}`, true);
  }
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    // Loaded on use: `megaphone --help` need not pay for it.
    const { request } = await import('undici');
    const res = await request(target, {
      method: opts.method ?? 'GET',
      signal,
      headers: {
        accept: opts.accept ?? 'application/json',
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_REPLY) {
        res.body.destroy();
        throw new ClientError(`reply from ${target.href} is larger than 1 MB`, false);
      }
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const type = String(res.headers['content-type'] ?? '');
    return { status: res.statusCode, type, text, json };
  } catch (err) {
    if (err instanceof ClientError) throw err;
    const { message } = describeTransportError(err, signal, opts.timeoutMs);
    throw new ClientError(`cannot reach megaphone at ${target.href}: ${message}`, true);
  }
}

/** The daemon's own error `{error, code}` as one line, or what came back instead. */
export function describeFailure(reply: Reply): string {
  const body = reply.json as { error?: unknown; code?: unknown } | undefined;
  if (body && typeof body.error === 'string') return `${body.error} (${String(body.code)}, HTTP ${reply.status})`;
  return `unexpected reply: HTTP ${reply.status} ${reply.text.slice(0, 200)}`;
}
