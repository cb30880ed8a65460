// Vitest configuration: tests grouped by layer under test/, as a fast `unit` project and the slow `integration` one.
import { globSync } from 'node:fs'
import { defineConfig } from 'vitest/config'

// `source` resolves the package's own subpath exports (`flowmark`, `@flowmark/docs/remark`, …) to the TypeScript sources.
const conditions = ['source', 'module', 'node', 'development|production']

/**
 * The fast layers (`npm run test:unit`): the engine, the type tests and the plugin's own tests, none of which builds a
 * site, starts a browser or installs the packages. The rest (site builds, the e2e browser tests, the package install)
 * is the `integration` project; `npm test` runs both.
 */
const unit = ['test/engine/**/*.test.ts', 'test/types/**/*.test.ts', 'test/plugin/**/*.test.ts']
/**
 * Plugin tests that run TypeDoc over the whole engine or an Astro API setup: half the plugin tests' time (~90 s of
 * ~165 s on a loaded 2-core machine), so they belong with the integration tests.
 */
const typedocOnEngine = ['api-astro', 'api-doctest', 'api-engine', 'api-hostile', 'api-render'].map((f) => `test/plugin/${f}.test.ts`)
/**
 * Plugin tests that are integration tests in all but folder: TypeDoc over the fixture package (api: ~50 s on a loaded
 * machine), doctest sessions that are killed, run out of heap or time out on purpose (doctest-safety: ~35 s), and
 * Vitest started as a child process (doctest-vitest: ~12 s). Half the unit project's time, so they run with `npm test`.
 */
const slowPlugin = ['api', 'doctest-safety', 'doctest-vitest'].map((f) => `test/plugin/${f}.test.ts`)
/**
 * Tests that start Node as a child process on the TypeScript sources (~1 s each on an idle machine, several under
 * load): the engine's exit checks and the `flowmark-docs` executable.
 */
const spawnNode = ['test/engine/exits.test.ts', 'test/plugin/bin.test.ts']
/**
 * The schedula replay's cases outside the fixed sample that schedula-differential.test.ts and pipe-solution.test.ts
 * use in the unit run (test/engine/schedula/replay.ts picks it): `npm test` covers all 400 models, test:unit an eighth.
 */
const fullSamples = ['test/engine/schedula-differential-rest.test.ts', 'test/engine/pipe-solution-rest.test.ts']
/** Engine regressions on 16,000- and 20,000-node models (seconds each); the small cases stay in regressions.test.ts. */
const scale = ['test/engine/regressions-scale.test.ts']
const notUnit = [...typedocOnEngine, ...slowPlugin, ...spawnNode, ...fullSamples, ...scale]
/**
 * Unit files that need a fresh module graph: doctest-reuse counts how the session worker pool (module state of
 * plugin/doctest/session.ts) places pages, so idle workers left by other files would change its answers.
 */
const isolatedUnit = ['test/plugin/doctest-reuse.test.ts']
/**
 * The unit projects share one module graph per worker (`isolate: false`): re-importing the engine, the plugin and
 * TypeScript for every file was a third of the run. Two workers, not Vitest's default of cores − 1 (one worker on
 * a 2-core machine): many unit tests wait on worker threads and child processes, which the other worker fills.
 */
const unitWorkers = 2

/** Every test file of the unit project, so that the integration project takes exactly the others. */
const unitFiles = globSync(unit, { exclude: notUnit })

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    testTimeout: 60_000,
    // expect.poll waits for what a browser or a worker does in its own time: 1 s (Vitest's default) is short on a
    // loaded CI machine, and a poll that succeeds returns as soon as it does.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: unit, exclude: [...notUnit, ...isolatedUnit], isolate: false, maxWorkers: unitWorkers },
      },
      { extends: true, test: { name: 'unit-isolated', include: isolatedUnit, maxWorkers: unitWorkers } },
      // One worker as before (site builds and browsers load the machine), so after the unit projects (Vitest runs
      // projects with different maxWorkers in separate groups).
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: unitFiles, sequence: { groupOrder: 1 } } },
    ],
  },
})
