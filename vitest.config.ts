import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // e2e tests spawn real daemons and real clients; two cores are shared.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
