// Run by exits.test.ts as its own process: uses timeouts, signals and discarded calls, then must exit by itself.
import { Dispatcher, type NodeContext } from '../../engine/index.ts'

const dsp = new Dispatcher()
dsp.addFunction({ id: 'hangs', fn: () => new Promise(() => {}), inputs: ['a'], outputs: ['b'], timeout: 5 })
dsp.addFunction({ id: 'fallback', fn: async (a: number) => a * 2, inputs: ['a'], outputs: ['b'], weight: 3 })
dsp.addFunction({
  id: 'spare',
  inputs: ['a'],
  outputs: ['c'],
  weight: 9,
  context: true,
  fn: (_a: number, ctx: NodeContext) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('x')))),
})
const out: string[] = []
// A long dispatch timeout and a signal that never aborts: both must be released when the dispatch ends.
const sol = await dsp.dispatchAsync({ a: 1 }, ['b'], { timeout: 600_000, signal: new AbortController().signal })
out.push(`done ${String(sol.get('b'))}`)
const ctl = new AbortController()
const hang = new Dispatcher()
hang.addFunction({ id: 'h', fn: () => new Promise(() => {}), inputs: ['a'], outputs: ['b'] })
const p = hang.dispatchAsync({ a: 1 }, null, { signal: ctl.signal, timeout: 600_000 })
ctl.abort()
out.push(
  await p.then(
    () => 'resolved',
    (e: Error) => (e.name === 'DispatcherAbort' ? 'abort' : e.name),
  ),
)
out.push(
  await hang.dispatchAsync({ a: 1 }, null, { timeout: 1 }).then(
    () => 'resolved',
    (e: Error) => ((e.cause as Error).name === 'TimeoutError' ? 'timeout' : e.name),
  ),
)
console.log(out.join(' '))
