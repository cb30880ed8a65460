// Vitest configuration: one project for the whole repository, tests grouped by layer under test/.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
})
