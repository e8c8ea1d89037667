// Runs one attack of bench/lib/hostile-attacks.mjs in its own process (so the balancer's timings are
// not the attacker's event loop): {start: {name, port, agentPort}}, later {stop: true}; replies {result}.
import { ATTACKS } from './hostile-attacks.mjs';

process.once('message', async ({ start }) => {
  const attack = ATTACKS.find((a) => a.name === start.name);
  let end;
  const until = new Promise((resolve) => (end = resolve));
  process.once('message', () => end());
  const result = await attack.run({ ...start, until });
  process.send({ result }, () => process.exit(0));
});
