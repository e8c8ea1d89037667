import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Dialects } from '../dialects.js';
import type { ReloadSection } from './reload.js';

/**
 * Dialect settings on reload. GET / and the agent read `http.statusCodes` and `agent.weights`
 * from these very objects on every request, so updating them in place applies at once.
 * Where the listener or the cached header is built once (agent port/host, cacheMaxAge), a restart is needed.
 */
export function dialectSections(dialects: Dialects, agentWeights: Config['agent']['weights'], logger: Logger): ReloadSection[] {
  const restart = (name: string, pick: (c: Config) => unknown): ReloadSection => ({
    name,
    pick,
    restartOnly: true,
    apply: () => logger.warn({ key: name }, `config reload: \`${name}\` changed; restart megaphone to apply it`),
  });
  return [
    { name: 'http.statusCodes', pick: (c) => c.http.statusCodes, apply: (next) => void Object.assign(dialects.http.statusCodes, next.http.statusCodes) },
    { name: 'agent.weights', pick: (c) => c.agent.weights, apply: (next) => void Object.assign(agentWeights, next.agent.weights) },
    restart('http.cacheMaxAge', (c) => c.http.cacheMaxAge),
    restart('agent', (c) => [c.agent.port, c.agent.host]),
  ];
}
