// Vitest configuration: one project for the whole repository, tests grouped by layer under test/.
import { defineConfig } from 'vitest/config'

// `source` resolves the package's own subpath exports (`flowmark`, `@flowmark/docs/remark`, …) to the TypeScript sources.
const conditions = ['source', 'module', 'node', 'development|production']

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
})
