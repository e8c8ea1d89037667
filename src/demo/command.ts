import { badRequest } from '../lib/errors.js';
import { parseDemoUpdate, startDemoService } from './status-service.js';

export interface DemoOptions {
  host: string;
  port: string;
  status: string;
  message: string;
}

/** `megaphone demo`: serve a status that the reader flips with curl, to watch megaphone follow it. */
export async function demoCommand(opts: DemoOptions): Promise<void> {
  const port = /^\d{1,5}$/.test(opts.port) ? Number(opts.port) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw badRequest(`--port must be a port number 0-65535, got ${JSON.stringify(opts.port)}`);
  const initial = parseDemoUpdate(JSON.stringify({ status: opts.status, message: opts.message }), 'application/json');
  if (typeof initial === 'string') throw badRequest(`--status: ${initial}`);
  const demo = await startDemoService({ host: opts.host, port, initial });
  process.stdout.write(
    `megaphone demo: ${demo.url} says ${JSON.stringify(initial)}\n` +
      `change it with: curl -X PUT ${demo.url} -d 'Critical disk full'\n`,
  );
  const stop = () => void demo.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
