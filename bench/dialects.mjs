// The GET / variants and ports the dialects issue (#5) adds; each is benched once the build has it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const has = (file) => existsSync(path.join(dist, file));

/** True when the built daemon has the HAProxy agent listener (config key `agent.port`). */
export const hasAgent = () => has('integrations/haproxy-agent.js');

/** Extra HTTP cases for bench 1; `skip` says why one is not run yet. */
export function dialectCases() {
  const negotiates = has('api/negotiate.js');
  const metrics = has('api/routes-metrics.js');
  return [
    {
      name: 'GET / Accept: application/health+json',
      path: '/',
      headers: { accept: 'application/health+json' },
      skip: negotiates ? undefined : 'TODO: health+json on / is not on main yet (dialects, #5)',
    },
    {
      name: 'GET /metrics',
      path: '/metrics',
      headers: {},
      skip: metrics ? undefined : 'TODO: /metrics is not on main yet (dialects, #5)',
    },
  ];
}
