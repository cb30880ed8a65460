// Graphviz layout worker: one WASM instance per thread, answering { id, dot, engine } with { id, svg, ms } or { id, error }.
import { parentPort } from 'node:worker_threads'
import { Graphviz } from '@hpcc-js/wasm-graphviz'
import { layoutCpuMs } from './cpu-time.ts'

/** A layout request sent to the worker. */
export interface LayoutRequest {
  readonly id: number
  readonly dot: string
  readonly engine: string
}

/** The worker's answer: the SVG and the layout's CPU time in ms (thread CPU time), or the Graphviz error message. */
export type LayoutResponse =
  { readonly id: number; readonly svg: string; readonly ms: number } | { readonly id: number; readonly error: string }

if (parentPort !== null) {
  const port = parentPort
  const loading = Graphviz.load()
  loading.then(
    () => port.postMessage({ ready: true }),
    () => port.postMessage({ ready: true }),
  )
  port.on('message', (req: LayoutRequest) => {
    loading.then(
      (gv) => {
        let res: LayoutResponse
        try {
          const { result, ms } = layoutCpuMs(() => gv.layout(req.dot, 'svg', req.engine as 'dot'))
          res = { id: req.id, svg: result, ms }
        } catch (e) {
          res = { id: req.id, error: e instanceof Error ? e.message : String(e) }
        }
        port.postMessage(res)
      },
      (e: unknown) => port.postMessage({ id: req.id, error: `Graphviz failed to load: ${e instanceof Error ? e.message : String(e)}` }),
    )
  })
}
