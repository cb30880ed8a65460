// The shapes of a plot: graph pages with their DOT text, as the engine hands them to renderers and viewers.

/**
 * One graph page of a plot: a dispatcher's model ("dmap") or a solution's workflow, as DOT text.
 * Pages are addressed by `path`, the node ids from the root page joined with `/`; the root page has path `''`.
 * In each segment `%` is written `%25` and `/` is written `%2F`, the empty id is `%`, and a special token is `%`
 * followed by its name (`%start`), so paths split unambiguously on `/`. Paths never depend on memory addresses or
 * counters: the same model gives the same paths.
 */
export interface PlotPage {
  /** Stable address of the page: `''` for the root, `'S'` for sub-dispatcher node `S`, `'S/T'` below it. */
  readonly path: string
  /** Human title: the dispatcher name, or the node id of the sub-dispatcher. */
  readonly title: string
  /** `'dmap'` draws every node of a model; `'workflow'` draws what a dispatch reached. */
  readonly kind: 'dmap' | 'workflow'
  /** Path of the page one level up (`undefined` at the root). */
  readonly parent: string | undefined
  /** Complete DOT text of the page (a `digraph`), ready for Graphviz. */
  readonly dot: string
  /** Layout engine to use for this page (`'dot'` unless the options say otherwise). */
  readonly engine: string
  /** The nodes drawn on the page, in drawing order, for search, tooltips, tables and accessibility. */
  readonly nodes: readonly PlotNode[]
}

/** A node drawn on a page, described for viewers (search, tooltips, links into sub-pages). */
export interface PlotNode {
  /**
   * The DOT node name, also the `id` attribute Graphviz writes on the node's SVG group: `n-<id>` for a string id,
   * where each character outside `[A-Za-z0-9_]` is written `-<hex code point>-` (`'my id'` → `n-my-20-id`);
   * the special node's name for START, SINK, END, SELF, PLOT (`start`…) and `empty` for an empty page.
   */
  readonly dotId: string
  /** The node id as text (`idText`), e.g. `'c'`, `'start'`. */
  readonly label: string
  /** What the node is. Special nodes (START, SINK, …) have their own kind; the EMPTY node of an empty page is `'other'`. */
  readonly kind: 'data' | 'function' | 'dispatcher' | 'start' | 'sink' | 'end' | 'self' | 'plot' | 'other'
  /** One-paragraph description (node description, else the function's doc), if any. */
  readonly description: string | undefined
  /** Path of the page this node opens (sub-dispatchers and model-wrapping functions), if any. */
  readonly page: string | undefined
  /** Workflow pages: the state of the node (`'ok'`, `'error'`, `'missing'` for orange warnings, `'unreached'`). */
  readonly state: 'ok' | 'error' | 'missing' | 'unreached' | undefined
  /**
   * The style type of the node, schedula's names: `'data'`, `'function'`, `'dispatcher'`, `'subdispatch'`,
   * `'dispatchpipe'`… for functions wrapping a model, or the special node's name (`'start'`, `'empty'`…).
   */
  readonly type?: string | undefined
  /** Workflow pages with `orderBadges`: the 1-based position of the node in the visit order of its dispatch. */
  readonly order?: number | undefined
  /** Workflow pages: a short, bounded description of the value the data node got (absent if it got none). */
  readonly value?: string | undefined
  /** Workflow pages: the message of the failure recorded at the node, if it failed. */
  readonly error?: string | undefined
}

/** A whole plot: its pages, the root first, then depth-first in model order. */
export interface Plot {
  /** The pages; `pages[0]` is the root. */
  readonly pages: readonly PlotPage[]
  /** The page at `path`, if the plot has it. */
  page(path: string): PlotPage | undefined
  /** A plain-JSON copy of the plot (what crosses thread and process boundaries). */
  toJSON(): PlotJSON
}

/** The JSON form of a plot: the pages as plain objects. */
export interface PlotJSON {
  readonly pages: readonly PlotPage[]
}
