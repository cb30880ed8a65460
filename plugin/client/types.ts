// Shapes the viewer reads from the graph's JSON index and keeps about each page and node.

/** One node of a page, as written into the JSON index by `@flowmark/docs/render`. */
export interface IndexNode {
  readonly id: string
  readonly label: string
  readonly kind: string
  readonly description?: string
  readonly page?: string
  readonly state?: string
}

/** One page of the graph, as written into the JSON index. */
export interface IndexPage {
  readonly path: string
  readonly title: string
  readonly kind: string
  readonly parent?: string
  readonly section: string
  readonly nodes: readonly IndexNode[]
}

/** The JSON index of a `<flowmark-graph>` (its `<script class="fm-index">`). */
export interface GraphIndex {
  readonly v: number
  readonly id: string
  readonly title: string
  readonly pages: readonly IndexPage[]
}

/** A rectangle in SVG user units (a viewBox). */
export interface Box {
  x: number
  y: number
  w: number
  h: number
}

/** What a node element of the SVG is, for tooltips, search and navigation (from the index, or from the SVG for foreign DOT). */
export interface NodeInfo {
  readonly el: SVGGElement
  readonly page: number
  readonly label: string
  readonly kind: string
  readonly description: string
  /** The page this node opens (a sub-model), as an index into the pages. */
  readonly opens: number | undefined
  readonly state: string | undefined
}
