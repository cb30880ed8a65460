// Before an asynchronous dispatch: hands each executor that asks for it the function nodes it may run.
import type { NodeId } from '../constants.ts'
import type { Dispatcher } from '../dispatcher.ts'
import type { Executor, ExecutorNode, SubDispatcherNode } from '../model.ts'
import { internalsOf } from './access.ts'
import { memo, type MemoKey } from './compile.ts'

/** What a model's walk needs: whether a function node has an executor of its own, and the sub-dispatcher nodes. */
interface Summary {
  readonly ownExecutor: boolean
  readonly subs: readonly SubDispatcherNode[]
}

/** The summary kept on a compiled form: a change of the model compiles it anew, so a summary never outlives its model. */
const SUMMARY: MemoKey<Summary> = { name: 'executor summary' }

function summaryOf(d: Dispatcher): Summary {
  return memo(internalsOf(d).compiled(), SUMMARY, () => {
    let ownExecutor = false
    const subs: SubDispatcherNode[] = []
    for (const node of d.nodes.values()) {
      if (node.kind === 'dispatcher') subs.push(node)
      else if (node.kind === 'function' && node.executor !== undefined) ownExecutor = true
    }
    return { ownExecutor, subs }
  })
}

/**
 * Calls `prepare` of every executor that has one with the function nodes it may be asked to run: the nodes whose own
 * executor it is, and those without one when it is the dispatch's executor (sub-dispatchers included). Returns
 * undefined when no executor asks (the common case costs one walk over the nodes and no await).
 */
export function prepareExecutors(dsp: Dispatcher, dispatchExecutor: Executor | undefined): Promise<void> | undefined {
  let byExecutor: Map<Executor, ExecutorNode[]> | undefined
  const seen = new Set<Dispatcher>()
  // Without a dispatch executor that prepares, only models with nodes of their own executor are walked node by node.
  const everyNode = dispatchExecutor?.prepare !== undefined
  const walk = (d: Dispatcher, path: readonly NodeId[]): void => {
    if (seen.has(d)) return
    seen.add(d)
    const summary = summaryOf(d)
    if (!everyNode && !summary.ownExecutor) {
      for (const sub of summary.subs) walk(sub.dispatcher, [...path, sub.id])
      seen.delete(d)
      return
    }
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
