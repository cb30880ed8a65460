// Model shapes for the engine benchmark: chain, wide and lattice models of trivial functions.
import { Dispatcher } from '../engine/index.ts'

/** Receives one function of a shape: its id, the function, and its input and output ids. */
export type Emit = (id: string, fn: (...args: number[]) => number, inputs: string[], outputs: string[]) => void

/** A benchmark model: how to build it, its inputs, and the same functions as a plain topologically sorted loop. */
export interface Shape {
  readonly name: 'chain' | 'wide' | 'lattice'
  readonly n: number
  /** Passes every function of the model to `emit`, in the order they are added (id lists are fresh arrays). */
  functions(emit: Emit): void
  /** The model as a dispatcher: {@link Shape.functions}, each added with `addFunction`. */
  build(): Dispatcher
  readonly inputs: Readonly<Record<string, number>>
  /** Runs the same functions in topological order, storing results in a Map, and returns the Map. */
  plainLoop(): Map<string, number>
  /** How many values {@link Shape.flatLoop} writes (inputs included). */
  readonly values: number
  /**
   * Runs the same functions in topological order, storing every value (inputs first) in a flat buffer of
   * {@link Shape.values} slots: the like-for-like baseline of a plan replayed into its buffer.
   */
  flatLoop(buf: number[]): void
}

const inc = (a: number) => a + 1
const add = (a: number, b: number) => a + b

/** `x0 → f0 → x1 → … → xN`: every function waits for the previous one. */
export function chain(n: number): Shape {
  const ids = Array.from({ length: n + 1 }, (_, i) => `x${i}`)
  const fids = Array.from({ length: n }, (_, i) => `f${i}`)
  return {
    name: 'chain',
    n,
    inputs: { x0: 0 },
    functions(emit) {
      for (let i = 0; i < n; i++) emit(fids[i]!, inc, [ids[i]!], [ids[i + 1]!])
    },
    build() {
      return buildOf(this)
    },
    plainLoop() {
      const m = new Map<string, number>([['x0', 0]])
      for (let i = 0; i < n; i++) m.set(ids[i + 1]!, inc(m.get(ids[i]!)!))
      return m
    },
    values: n + 1,
    flatLoop(buf) {
      buf[0] = 0
      for (let i = 0; i < n; i++) buf[i + 1] = inc(buf[i]!)
    },
  }
}

/** N functions all reading `a` and `b`: the worst case for a heap (N ready nodes at one distance). */
export function wide(n: number): Shape {
  const ys = Array.from({ length: n }, (_, i) => `y${i}`)
  const fids = Array.from({ length: n }, (_, i) => `f${i}`)
  return {
    name: 'wide',
    n,
    inputs: { a: 1, b: 2 },
    functions(emit) {
      for (let i = 0; i < n; i++) emit(fids[i]!, add, ['a', 'b'], [ys[i]!])
    },
    build() {
      return buildOf(this)
    },
    plainLoop() {
      const m = new Map<string, number>([
        ['a', 1],
        ['b', 2],
      ])
      for (let i = 0; i < n; i++) m.set(ys[i]!, add(m.get('a')!, m.get('b')!))
      return m
    },
    values: n + 2,
    flatLoop(buf) {
      buf[0] = 1
      buf[1] = 2
      for (let i = 0; i < n; i++) buf[i + 2] = add(buf[0], buf[1])
    },
  }
}

/** 100 columns × N/100 layers; each node adds two nodes of the previous layer (every function joins two inputs). */
export function lattice(n: number): Shape {
  const cols = 100
  const layers = Math.max(1, Math.floor(n / cols))
  // Ids are made up front, as for the other shapes, so neither the build nor the loop pays for string formatting.
  const x = Array.from({ length: layers + 1 }, (_, l) => Array.from({ length: cols }, (_, j) => `x${l}_${j}`))
  const f = Array.from({ length: layers + 1 }, (_, l) => Array.from({ length: cols }, (_, j) => `f${l}_${j}`))
  const inputs: Record<string, number> = {}
  for (let j = 0; j < cols; j++) inputs[x[0]![j]!] = j
  return {
    name: 'lattice',
    n: layers * cols,
    inputs,
    functions(emit) {
      for (let l = 1; l <= layers; l++) {
        const prev = x[l - 1]!
        for (let j = 0; j < cols; j++) emit(f[l]![j]!, add, [prev[j]!, prev[(j + 1) % cols]!], [x[l]![j]!])
      }
    },
    build() {
      return buildOf(this)
    },
    plainLoop() {
      const m = new Map<string, number>(Object.entries(inputs))
      for (let l = 1; l <= layers; l++) {
        const prev = x[l - 1]!
        const cur = x[l]!
        for (let j = 0; j < cols; j++) m.set(cur[j]!, add(m.get(prev[j]!)!, m.get(prev[(j + 1) % cols]!)!))
      }
      return m
    },
    values: (layers + 1) * cols,
    flatLoop(buf) {
      for (let j = 0; j < cols; j++) buf[j] = j
      for (let l = 1; l <= layers; l++) {
        const prev = (l - 1) * cols
        const cur = l * cols
        for (let j = 0; j < cols; j++) buf[cur + j] = add(buf[prev + j]!, buf[prev + ((j + 1) % cols)]!)
      }
    },
  }
}

/** A dispatcher of the shape's functions. */
function buildOf(shape: Shape): Dispatcher {
  const d = new Dispatcher({ name: shape.name })
  shape.functions((id, fn, inputs, outputs) => d.addFunction({ id, fn, inputs, outputs }))
  return d
}

/** What the build floor makes of a node: the fields a model's node record keeps. */
interface FloorNode {
  readonly id: string
  readonly index: number
  succ: FloorNode | FloorNode[] | null
  slot: number
}

/** What the build floor makes of a function: a node record with its copied id lists and its function. */
interface FloorFunction extends FloorNode {
  readonly inputs: string[]
  readonly outputs: string[]
  readonly fn: (...args: number[]) => number
}

/** Adds the edge `from → to` the way a model keeps edges: the target itself for one edge, a list for more. */
function floorLink(from: FloorNode, to: FloorNode): void {
  const s = from.succ
  if (s === null) from.succ = to
  else if (Array.isArray(s)) s.push(to)
  else from.succ = [s, to]
}

/**
 * The build floor: the shape's functions made into what a model must hold at the least (a record per node in one
 * Map by id, copies of the id lists, the edges) by a plain loop without any of `addFunction`'s checks. The engine's
 * build is compared with it in the same run.
 */
export function buildFloor(shape: Shape): Map<string, FloorNode> {
  const nodes = new Map<string, FloorNode>()
  let index = 0
  shape.functions((id, fn, inputs, outputs) => {
    const f: FloorFunction = { id, index: index++, succ: null, slot: -1, inputs: inputs.slice(), outputs: outputs.slice(), fn }
    nodes.set(id, f)
    for (const i of f.inputs) {
      let d = nodes.get(i)
      if (d === undefined) nodes.set(i, (d = { id: i, index: index++, succ: null, slot: -1 }))
      floorLink(d, f)
    }
    for (const o of f.outputs) {
      let d = nodes.get(o)
      if (d === undefined) nodes.set(o, (d = { id: o, index: index++, succ: null, slot: -1 }))
      floorLink(f, d)
    }
  })
  return nodes
}

/** The shape builders by name. */
export const SHAPES = { chain, wide, lattice } as const
