// Processes that use the async driver or worker executors exit on their own: each check runs Node as a child process.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/*
 * These start Node, load the engine from source and (for flowmark/workers) a worker pool: ~1 s each, so they run with
 * the integration tests (`npm test`), not `npm run test:unit`. Describe and test names are those they had in
 * async.test.ts and workers.test.ts.
 */
const NODE = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url))
/** Runs a fixture script of this folder with the `source` condition, as its own process, killed after `timeout` ms. */
const runFixture = (name: string, timeout: number) =>
  spawnSync(NODE, ['--conditions=source', fileURLToPath(new URL(name, import.meta.url))], { encoding: 'utf8', timeout })

describe('dispatchAsync: cancellation and time limits', () => {
  it('leaves no timer or listener behind: a process using every feature exits on its own', () => {
    const res = runFixture('./async-exit.fixture.ts', 30_000)
    expect(res.signal).toBe(null) // not killed by the 30 s limit: nothing kept the event loop alive
    expect(res.stderr).toBe('')
    expect(res.stdout.trim()).toBe('done 2 abort timeout')
    expect(res.status).toBe(0)
  })
})

describe('the process exits on its own', () => {
  it('with or without close(), after faults, timeouts and aborts (no thread, timer or handle kept alive)', () => {
    const res = runFixture('./workers-exit.fixture.ts', 60_000)
    expect(res.signal).toBe(null) // not killed by the 60 s limit: nothing kept the process alive
    expect(res.stderr).toBe('')
    expect(res.stdout.trim()).toBe('closed 3 3 | forgotten 3 timeout abort')
    expect(res.status).toBe(0)
  })

  it('importing flowmark/workers without piscina says how to install it', () => {
    const res = runFixture('./workers-no-piscina.fixture.ts', 60_000)
    expect(res.stdout.trim()).toBe(
      "WorkerError piscina: flowmark/workers runs calls on a piscina worker pool, but the package 'piscina' is not " +
        'installed: run `npm install piscina` (an optional peer dependency of flowmark, ^5.3.2)',
    )
    expect(res.status).toBe(0)
  })
})
