import { defineConfig } from 'vitest/config'

// One runner, three kinds of test: `unit` (app.inject and real sockets on
// loopback, the fast loop), `browser` (Debian's chromium) and `docker` (a real engine).
export default defineConfig({
  resolve: { conditions: ['numbers-source'] },
  ssr: { resolve: { conditions: ['numbers-source'] } },
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            '{packages,services}/*/test/**/*.test.ts',
            'test/**/*.test.ts',
            'docs/workshop/lab/test/**/*.test.ts',
          ],
          exclude: ['**/*.browser.test.ts', '**/*.docker.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['**/*.browser.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'docker',
          include: ['**/*.docker.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
