import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    // A test that sends two queries at once on one connection fails (pg's deprecation warning).
    setupFiles: ['tests/support/no-concurrent-queries.ts'],
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    // Two cores: two files at a time, each with its own database cloned from the template.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { LOG_LEVEL: 'silent', NODE_ENV: 'test' },
  },
});
