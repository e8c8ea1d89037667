/** Import rules for src/ checked by `npm run lint:deps` (part of `npm test`). */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles in src/, type-only imports included.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'client-uses-wire-types-only',
      severity: 'error',
      comment: 'The CLI client talks HTTP to a daemon: it may use the API wire types and lib/, never daemon internals.',
      from: { path: '^src/client/' },
      to: { path: '^src/', pathNot: ['^src/client/', '^src/api/wire\\.ts$', '^src/lib/', '^src/status\\.ts$'] },
    },
    {
      name: 'only-the-daemon-listens',
      severity: 'error',
      comment: 'createMegaphone never listens: nothing but the daemon imports the listener pieces.',
      from: { path: '^src/', pathNot: ['^src/daemon\\.ts$'] },
      to: { path: ['^src/security/api-server\\.ts$', '^src/ops/systemd-notify\\.ts$'] },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports is dead code.',
      from: { orphan: true, path: '^src/', pathNot: ['^src/cli\\.ts$', '^src/discovery/reader-worker\\.ts$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
