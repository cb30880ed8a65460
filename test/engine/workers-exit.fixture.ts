// Run by exits.test.ts as its own process: worker executors, closed and forgotten, faults and aborts; must exit by itself.
import { Dispatcher, type DispatcherAbort } from '../../engine/index.ts'
import { functionRef } from '../../engine/ref.ts'
import { createWorkerExecutor } from '../../engine/workers/index.ts'
import * as work from '../../fixtures/workers/work.ts'

const WORK = new URL('../../fixtures/workers/work.ts', import.meta.url).href
const fallback = (first: (...args: never[]) => unknown): Dispatcher => {
  const dsp = new Dispatcher()
  dsp.addFunction({ id: 'first', fn: functionRef(first, WORK), inputs: ['a'], outputs: ['y'] })
  dsp.addFunction({ id: 'second', fn: functionRef(work.sum, WORK), inputs: ['a', 'b'], outputs: ['y'], weight: 5 })
  return dsp
}
const out: string[] = []

const closed = createWorkerExecutor({ size: 2 })
for (const first of [work.boom, work.exit])
  out.push(String((await fallback(first).dispatchAsync({ a: 1, b: 2 }, ['y'], { executor: closed })).get('y')))
await closed.close()
out.push('|')

// Never closed: idle worker threads must not keep the process alive.
const forgotten = createWorkerExecutor({ size: 2, idleTimeout: 600_000 })
out.push('forgotten', String((await fallback(work.exit).dispatchAsync({ a: 1, b: 2 }, ['y'], { executor: forgotten })).get('y')))
const spinning = new Dispatcher()
spinning.addFunction({ id: 'spin', fn: functionRef(work.spin, WORK), inputs: ['a'], outputs: ['b'] })
const reason = (e: DispatcherAbort): string => ((e.cause as Error | undefined)?.name === 'TimeoutError' ? 'timeout' : 'abort')
out.push(await spinning.dispatchAsync({ a: 1 }, null, { executor: forgotten, timeout: 100 }).then(() => 'resolved', reason))
const ctl = new AbortController()
setTimeout(() => ctl.abort(), 100)
out.push(await spinning.dispatchAsync({ a: 1 }, null, { executor: forgotten, signal: ctl.signal }).then(() => 'resolved', reason))
console.log(`closed ${out.join(' ')}`)
