// The Plot and PlotPage objects: pages addressed by path, and their plain-JSON form (it crosses threads).
import { PlotError } from './options.ts'
import type { Plot, PlotJSON, PlotNode, PlotPage } from './types.ts'

const NODE_KINDS = new Set(['data', 'function', 'dispatcher', 'start', 'sink', 'end', 'self', 'plot', 'other'])
const STATES = new Set(['ok', 'error', 'missing', 'unreached'])

function copyNode(n: PlotNode): PlotNode {
  const out: { -readonly [K in keyof PlotNode]: PlotNode[K] } = {
    dotId: n.dotId,
    label: n.label,
    kind: n.kind,
    description: n.description,
    page: n.page,
    state: n.state,
  }
  if (n.type !== undefined) out.type = n.type
  if (n.order !== undefined) out.order = n.order
  if (n.value !== undefined) out.value = n.value
  if (n.error !== undefined) out.error = n.error
  return Object.freeze(out)
}

/** A graph page of a plot (see `PlotPage`); `toJSON()` gives a plain copy. */
export class PlotPageImpl implements PlotPage {
  /** Stable address of the page (`''` for the root). */
  readonly path: string
  /** Human title. */
  readonly title: string
  /** `'dmap'` (a model) or `'workflow'` (what a dispatch reached). */
  readonly kind: 'dmap' | 'workflow'
  /** Path of the page one level up. */
  readonly parent: string | undefined
  /** The DOT text. */
  readonly dot: string
  /** The layout engine. */
  readonly engine: string
  /** The nodes drawn, in drawing order. */
  readonly nodes: readonly PlotNode[]

  constructor(page: PlotPage) {
    this.path = page.path
    this.title = page.title
    this.kind = page.kind
    this.parent = page.parent
    this.dot = page.dot
    this.engine = page.engine
    this.nodes = Object.freeze(page.nodes.map(copyNode))
    Object.freeze(this)
  }

  /** A plain-data copy of the page (no prototype, no methods): safe for `JSON.stringify` and `postMessage`. */
  toJSON(): PlotPage {
    return {
      path: this.path,
      title: this.title,
      kind: this.kind,
      parent: this.parent,
      dot: this.dot,
      engine: this.engine,
      nodes: this.nodes.map(copyNode),
    }
  }
}

/** A plot: its pages, the root first, then depth-first in model order. */
export class PlotImpl implements Plot {
  /** The pages; `pages[0]` is the root. */
  readonly pages: readonly PlotPage[]
  readonly #byPath: ReadonlyMap<string, PlotPage>

  constructor(pages: readonly PlotPage[]) {
    this.pages = Object.freeze(pages.map((p) => (p instanceof PlotPageImpl ? p : new PlotPageImpl(p))))
    this.#byPath = new Map(this.pages.map((p) => [p.path, p]))
  }

  /** The page at `path`, if the plot has it. */
  page(path: string): PlotPage | undefined {
    return this.#byPath.get(path)
  }

  /** A plain-JSON copy of the plot. */
  toJSON(): PlotJSON {
    return { pages: this.pages.map((p) => (p instanceof PlotPageImpl ? p.toJSON() : p)) }
  }
}

function fail(where: string, what: string): never {
  throw new PlotError(`plotFromJSON: ${where} ${what}; pass the value returned by plot().toJSON()`)
}

/**
 * Rebuilds a `Plot` from its JSON form (`plot.toJSON()`, possibly after `JSON.stringify`/`JSON.parse` or
 * `postMessage`), checking its shape. Fields JSON dropped because they were `undefined` read back as `undefined`.
 */
export function plotFromJSON(json: unknown): Plot {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as PlotJSON).pages)) fail('the value', 'has no `pages` array')
  const pages = (json as { pages: unknown[] }).pages.map((p, i): PlotPage => {
    const at = `pages[${i}]`
    if (typeof p !== 'object' || p === null) fail(at, 'is not an object')
    const q = p as Record<string, unknown>
    for (const k of ['path', 'title', 'dot', 'engine'] as const) if (typeof q[k] !== 'string') fail(`${at}.${k}`, 'is not a string')
    if (q.kind !== 'dmap' && q.kind !== 'workflow') fail(`${at}.kind`, "is neither 'dmap' nor 'workflow'")
    if (q.parent !== undefined && q.parent !== null && typeof q.parent !== 'string') fail(`${at}.parent`, 'is not a string')
    if (!Array.isArray(q.nodes)) fail(`${at}.nodes`, 'is not an array')
    const nodes = q.nodes.map((n: unknown, j: number): PlotNode => {
      const nat = `${at}.nodes[${j}]`
      if (typeof n !== 'object' || n === null) fail(nat, 'is not an object')
      const m = n as Record<string, unknown>
      if (typeof m.dotId !== 'string' || typeof m.label !== 'string') fail(nat, 'lacks a string dotId or label')
      if (!NODE_KINDS.has(m.kind as string)) fail(`${nat}.kind`, 'is not a node kind')
      if (m.state !== undefined && m.state !== null && !STATES.has(m.state as string)) fail(`${nat}.state`, 'is not a node state')
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
      const out: { -readonly [K in keyof PlotNode]: PlotNode[K] } = {
        dotId: m.dotId,
        label: m.label,
        kind: m.kind as PlotNode['kind'],
        description: str(m.description),
        page: str(m.page),
        state: str(m.state) as PlotNode['state'],
      }
      if (typeof m.type === 'string') out.type = m.type
      if (typeof m.order === 'number') out.order = m.order
      if (typeof m.value === 'string') out.value = m.value
      if (typeof m.error === 'string') out.error = m.error
      return out
    })
    return {
      path: q.path as string,
      title: q.title as string,
      kind: q.kind,
      parent: typeof q.parent === 'string' ? q.parent : undefined,
      dot: q.dot as string,
      engine: q.engine as string,
      nodes,
    }
  })
  return new PlotImpl(pages)
}
