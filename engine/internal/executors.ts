// Before an asynchronous dispatch: hands each executor that asks for it the function nodes it may run.
import type { NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import type { Executor, ExecutorNode } from '../model.ts'

/**
 * Calls `prepare` of every executor that has one with the function nodes it may be asked to run: the nodes whose own
 * executor it is, and those without one when it is the dispatch's executor (sub-dispatchers included). Returns
 * undefined when no executor asks (the common case costs one walk over the nodes and no await).
 */
export function prepareExecutors(dsp: Dispatcher, dispatchExecutor: Executor | undefined): Promise<void> | undefined {
  let byExecutor: Map<Executor, ExecutorNode[]> | undefined
  const seen = new Set<Dispatcher>()
  const walk = (d: Dispatcher, path: readonly NodeId[]): void => {
    if (seen.has(d)) return
    seen.add(d)
    for (const node of d.nodes.values()) {
      if (node.kind === 'dispatcher') walk(node.dispatcher, [...path, node.id])
      else if (node.kind === 'function') {
        const executor = node.executor ?? dispatchExecutor
        if (executor?.prepare === undefined) continue
        byExecutor ??= new Map()
        let list = byExecutor.get(executor)
        if (list === undefined) byExecutor.set(executor, (list = []))
        list.push({ node, path: [...path, node.id] })
      }
    }
    seen.delete(d)
  }
  walk(dsp, [])
  if (byExecutor === undefined) return undefined
  return Promise.all(
    [...byExecutor].map(async ([executor, nodes]) => {
      await executor.prepare!(nodes)
    }),
  ).then(() => undefined)
}
