// undici's Agent and connector by their own files (the package has no `exports` map): importing the package index
// also loads fetch, WebSocket, cookies and caches, ~60-100 ms of start-up and ~9 MB of RSS the daemon never uses.
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';
  const AgentClass: typeof Agent;
  export default AgentClass;
}

declare module 'undici/lib/core/connect.js' {
  import type { buildConnector } from 'undici';
  const build: typeof buildConnector;
  export default build;
}
