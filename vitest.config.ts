import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Builds dist/ when stale: the CLI tests run the built package, as users do.
    globalSetup: ['tests/global-setup.ts'],
    // Native addons (better-sqlite3, serialport) are safest in forked workers.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real services; two cores on these machines.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
