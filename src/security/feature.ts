import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import { compileTargetPolicy, type ResolveAll, type TargetPolicy } from './targets.js';
import { resolveWritePolicy, type WritePolicy } from './write-auth.js';

/**
 * Who may write (`auth`) and where checks and webhooks may connect (`targets`). Both objects are
 * read at every use, so a reload updates them in place; `onTargets` runs after the targets changed.
 */
export async function securityFeature(deps: {
  config: Config;
  resolve: ResolveAll;
  peerAddress?: WritePolicy['peerAddress'];
  onTargets: () => void;
}): Promise<Feature & { targets: TargetPolicy; writePolicy: WritePolicy }> {
  const targets = compileTargetPolicy(deps.config.targets.allow, deps.resolve);
  const writePolicy: WritePolicy = { ...(await resolveWritePolicy(deps.config.auth)), peerAddress: deps.peerAddress };
  return {
    name: 'security',
    targets,
    writePolicy,
    sections: [
      {
        key: 'targets',
        pick: (c) => c.targets,
        apply(next) {
          Object.assign(targets, compileTargetPolicy(next.targets.allow, targets.resolve));
          deps.onTargets();
        },
      },
      {
        key: 'auth',
        // A token file may have changed even when the config did not: re-read it on every reload.
        pick: (c) => (c.auth.tokenFile === undefined ? c.auth : Symbol('re-read')),
        async apply(next) {
          const policy = await resolveWritePolicy(next.auth);
          writePolicy.token = policy.token;
          writePolicy.requireTokenOnLoopback = policy.requireTokenOnLoopback;
        },
      },
    ],
  };
}
