import type { Feature } from '../feature.js';

/**
 * The API's listener and the HAProxy agent's, which the daemon builds from these keys when it
 * starts: only a restart applies a change to them.
 */
export const listenersFeature: Feature = {
  name: 'listeners',
  sections: [
    { key: 'listen', pick: (c) => c.listen },
    {
      key: 'limits.headersTimeout, limits.requestTimeout',
      pick: (c) => [c.limits.headersTimeout, c.limits.requestTimeout],
    },
    { key: 'agent.port, agent.host, agent.sendWait', pick: (c) => [c.agent.port, c.agent.host, c.agent.sendWait] },
  ],
};
