// A dispatched model that is dropped is freed by V8's next minor collection, not kept until a full one.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { Dispatcher } from '../../engine/index.ts'

setFlagsFromString('--expose-gc')
/** V8's collector, typed with the options Node passes through (a new context gets it once the flag is set). */
const gc = runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void

const inc = (x: number) => x + 1
const IDS = Array.from({ length: 201 }, (_, i) => `x${i}`)

/** A 200-function chain, made afresh. */
function chain(): Dispatcher {
  const d = new Dispatcher()
  for (let i = 0; i < 200; i++) d.addFunction({ id: `f${i}`, fn: inc, inputs: [IDS[i]!], outputs: [IDS[i + 1]!] })
  return d
}

/**
 * Megabytes still used after `rounds` models were built, used by `use` and dropped, then two minor collections. A
 * cache keyed weakly by a model whose value refers back to it keeps every one of them (V8's minor collections treat
 * WeakMap values as reachable): about 90 KB a model here, 27 MB for 300.
 */
async function leftAfterMinorGc(use: (d: Dispatcher) => unknown, rounds = 300): Promise<number> {
  gc({ type: 'major' })
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < rounds; i++) await use(chain())
  gc({ type: 'minor' })
  gc({ type: 'minor' })
  return (process.memoryUsage().heapUsed - before) / 1e6
}

describe('memory of dropped models', () => {
  it.each([
    ['dispatch', (d: Dispatcher) => d.dispatch({ x0: 1 })],
    ['dispatch to outputs', (d: Dispatcher) => d.dispatch({ x0: 1 }, ['x100'])],
    ['dispatchAsync', (d: Dispatcher) => d.dispatchAsync({ x0: 1 })],
  ])('%s: a minor collection frees them', async (_name, use) => {
    await leftAfterMinorGc(use, 30) // warm: the JIT's own allocations are not counted
    expect(await leftAfterMinorGc(use)).toBeLessThan(8)
  })
})
