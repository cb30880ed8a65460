// The solution of one pipe call: the plan's recorded search, holding the values the replay computed (filled on first read).
import { NONE, compareIds, type NodeId } from '../constants.ts'
import type { NodeError } from '../errors.ts'
import { DATA, DISPATCHER, FUNCTION } from '../internal/compile.ts'
import { EDGE_ON, type RunTrace, type Trace } from '../internal/search.ts'
import { Solution } from '../solution.ts'
import { MISSING, edgeTargetSlot, levelKey, sourceSlot, type Break, type Plan, type PlanLayout } from './plan.ts'

/** The value-bearing fields of a level, computed from the buffer on first read. */
interface Filled {
  readonly visited: Uint8Array
  readonly wfRemoved: Uint8Array
  readonly val: unknown[]
  readonly valOn: Uint8Array
  readonly valOrder: number[]
  readonly edgeVal: unknown[]
  readonly startVal: Map<number, unknown>
  readonly results: unknown[]
}

const has = (v: unknown): boolean => v !== MISSING && v !== NONE && v !== undefined

/**
 * @internal The solution of a replay of `plan` whose values are in `vals` (the buffer must not be reused while the
 * solution may still be read): the nodes, distances and workflow of the search the plan was recorded from, with the
 * values this call computed. Made in constant time; the values are read from `vals` when the solution is first read.
 * `broken` is the call's break (its failure becomes the node's error). Undefined when the model changed since the
 * plan was recorded.
 */
export function replaySolution(
  plan: Plan,
  vals: readonly unknown[],
  broken: Break | undefined,
  outputs: readonly NodeId[] | undefined,
  inputs: ReadonlyMap<NodeId, unknown>,
): Solution | undefined {
  const layout = plan.layout
  if (layout === null) return undefined
  const levels = new Map<Trace, Trace>()
  const structural = layout.root.run
  let mapped: readonly Trace[] | undefined
  const run: RunTrace = {
    options: { noCall: false },
    asyncLog: undefined,
    pipeSize: structural.pipeSize,
    pipeLevel: structural.pipeLevel,
    pipeSlot: structural.pipeSlot,
    get levels() {
      return (mapped ??= structural.levels.map((l) => levels.get(l) ?? l))
    },
  }
  const root = overlay(layout.root, null, layout, vals, broken, run, levels, inputs)
  return new Solution(root, inputs, outputs)
}

/** A level of the recorded search seen through the buffer: every structural field is the recording's. */
function overlay(
  lv: Trace,
  parent: Trace | null,
  layout: PlanLayout,
  vals: readonly unknown[],
  broken: Break | undefined,
  run: RunTrace,
  levels: Map<Trace, Trace>,
  inputs: ReadonlyMap<NodeId, unknown> | undefined,
): Trace {
  const o = Object.create(lv) as Trace
  levels.set(lv, o)
  const children = new Map<number, Trace>()
  for (const [slot, child] of lv.children) children.set(slot, overlay(child, o, layout, vals, broken, run, levels, undefined))
  // Inputs that are no node of the model come first in the solution, as in a dispatch.
  const extra = new Map<NodeId, unknown>()
  if (inputs !== undefined) {
    const outside = [...inputs.keys()].filter((id) => {
      const slot = lv.c.slotOf.get(id)
      return slot === undefined || !lv.view.has(slot)
    })
    for (const id of outside.sort(compareIds)) extra.set(id, inputs.get(id))
  }
  const errors = new Map<NodeId, NodeError>()
  const at = broken?.path
  if (broken?.error !== undefined && at !== undefined && at.length === lv.path.length + 1 && lv.path.every((id, i) => at[i] === id)) {
    errors.set(broken.nodeId, broken.error)
  }
  let filled: Filled | undefined
  const fill = (): Filled => (filled ??= fillLevel(lv, layout, vals, inputs))
  Object.defineProperties(o, {
    run: { value: run },
    parent: { value: parent },
    children: { value: children },
    errors: { value: errors },
    extra: { value: extra },
    nodeSolutions: { value: new Map() },
    filterChains: { value: new Map() },
    val: { get: () => fill().val },
    valOn: { get: () => fill().valOn },
    valOrder: { get: () => fill().valOrder },
    edgeVal: { get: () => fill().edgeVal },
    startVal: { get: () => fill().startVal },
    results: { get: () => fill().results },
    visited: { get: () => fill().visited },
    wfRemoved: { get: () => fill().wfRemoved },
  })
  return o
}

/** Reads one level's values, edge values, START values and function results out of the buffer. */
function fillLevel(lv: Trace, layout: PlanLayout, vals: readonly unknown[], inputs: ReadonlyMap<NodeId, unknown> | undefined): Filled {
  const c = lv.c
  const base = layout.base.get(levelKey(lv))
  const read = (slot: number): unknown => (slot < 0 ? MISSING : vals[slot])
  const val: unknown[] = new Array(c.size)
  const valOn = new Uint8Array(c.size)
  const valOrder: number[] = []
  if (base !== undefined) {
    for (const [id] of lv.valueMap()) {
      const s = c.slotOf.get(id)
      if (s === undefined) continue
      const v = vals[base + s]
      if (!has(v)) continue
      val[s] = v
      valOn[s] = 1
      valOrder.push(s)
    }
  }
  const edgeVal: unknown[] = new Array(lv.edgeVal.length)
  for (let e = 0; e < edgeVal.length; e++) {
    if (lv.edgeOn[e] !== EDGE_ON) continue
    const from = c.edgeFrom[e]!
    const v = c.kind[from] === DATA ? read(sourceSlot(layout, lv, from)) : read(edgeTargetSlot(layout, lv, c.edgeTo[e]!, e))
    if (has(v)) edgeVal[e] = v
  }
  const startVal = new Map<number, unknown>()
  for (const s of lv.startLog) {
    const id = c.nodes[s]!.id
    // The plan writes a START value only where no function or sub-dispatcher produces the node.
    let produced = false
    for (let p = c.predStart[s]!; p < c.predStart[s + 1]! && !produced; p++) produced = lv.edgeOn[c.predEdge[p]!] === EDGE_ON
    let v: unknown = MISSING
    if (inputs?.has(id)) v = inputs.get(id)
    else if (!produced) v = read(edgeTargetSlot(layout, lv, s, -1))
    if (!has(v)) v = lv.dsp.defaultValues.get(id)?.value
    startVal.set(s, v)
  }
  const results: unknown[] = new Array(c.size)
  for (let s = 0; s < c.size; s++) {
    if (c.kind[s] !== FUNCTION || lv.inDist[s] !== 1) continue
    const outs: unknown[] = []
    for (let k = c.outStart[s]!; k < c.outStart[s + 1]!; k++) {
      const e = c.outEdge[k]!
      const v = e >= 0 && lv.edgeOn[e] === EDGE_ON ? read(edgeTargetSlot(layout, lv, c.edgeTo[e]!, e)) : MISSING
      outs.push(has(v) ? v : undefined)
    }
    if (outs.some((v) => v !== undefined)) results[s] = outs.length === 1 ? outs[0] : outs
  }
  // As SubDispatchFunction's dispatch (rmUnusedNodes): nodes that received inputs but never ran leave the workflow.
  const visited = Uint8Array.from(lv.visited)
  const wfRemoved = Uint8Array.from(lv.wfRemoved)
  for (const s of lv.wfOrder) {
    if (visited[s] === 1 || c.kind[s] === DATA) continue
    let out = false
    if (c.kind[s] === DISPATCHER) for (let e = c.succStart[s]!; e < c.succStart[s + 1]! && !out; e++) out = lv.edgeOn[e] === EDGE_ON
    if (out) visited[s] = 1
    else wfRemoved[s] = 1
  }
  return { visited, wfRemoved, val, valOn, valOrder, edgeVal, startVal, results }
}
