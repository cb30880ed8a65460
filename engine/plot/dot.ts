// A tiny DOT writer: attribute lists, node and edge statements, HTML-like tables; every value escaped.
import { htmlAttribute, htmlText, quoteEscString, quoteLabel } from './escape.ts'
import type { DotAttributes } from './options.ts'

/** An HTML-like label, written between `<` and `>` as it is: build it only from escaped parts. */
export class Html {
  /** The markup. */
  readonly markup: string

  constructor(markup: string) {
    this.markup = markup
  }
}

/** An attribute value as the writer accepts it: scalars are escaped, `Html` is written as an HTML-like string. */
export type DotValue = string | number | boolean | Html

/** Attributes Graphviz unescapes twice (tooltips), which need their backslashes protected twice; links once. */
const ESC_STRING = new Set(['tooltip', 'edgetooltip', 'labeltooltip', 'headtooltip', 'tailtooltip'])

/** Writes one attribute value. */
export function dotValue(name: string, v: DotValue): string {
  if (v instanceof Html) return `<${v.markup}>`
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : quoteLabel(String(v))
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return ESC_STRING.has(name) ? quoteEscString(v) : quoteLabel(v)
}

/**
 * Merges attribute layers left to right: later layers win, `null`/`undefined` in a later layer removes the key.
 */
export function mergeAttributes(
  ...layers: (DotAttributes | Readonly<Record<string, DotValue | null | undefined>> | undefined)[]
): Map<string, DotValue> {
  const out = new Map<string, DotValue>()
  for (const layer of layers) {
    if (layer === undefined) continue
    for (const [k, v] of Object.entries(layer)) {
      if (v === null || v === undefined) out.delete(k)
      else out.set(k, v)
    }
  }
  return out
}

/** Writes an attribute list `[a=1 b="x"]`: `label` first, then the others by name; empty when there are none. */
export function attributeList(attrs: ReadonlyMap<string, DotValue>): string {
  const keys = [...attrs.keys()].sort((a, b) => (a === 'label' ? -1 : b === 'label' ? 1 : a < b ? -1 : a > b ? 1 : 0))
  if (keys.length === 0) return ''
  return `[${keys.map((k) => `${k}=${dotValue(k, attrs.get(k)!)}`).join(' ')}]`
}

/** A node or graph name, always quoted. */
export function dotName(name: string): string {
  return quoteLabel(name)
}

/** One row of a node or edge table: a right-aligned name cell and a left-aligned value cell (with an optional link). */
export interface TableRow {
  readonly name: string
  readonly value: string
  readonly href?: string | undefined
}

/**
 * The HTML-like table of a node or an edge: a title row spanning both columns, then `name | value` rows, in
 * `color` (the font colour of the node). `badge` puts an execution-order number before the title.
 */
export function table(title: string, rows: readonly TableRow[], color: string, badge?: number): Html {
  let head = htmlText(title)
  if (badge !== undefined) {
    const width = 6 + 6 * String(badge).length
    head = `<TABLE border="0" cellspacing="0" cellpadding="0"><TR><TD bgcolor="#303030" fixedsize="true" width="${width}" height="14"><FONT color="#FFFFFF" point-size="9">${badge}</FONT></TD><TD cellpadding="2">${head}</TD></TR></TABLE>`
  }
  let out = `<TABLE border="0" cellspacing="0" color="${htmlAttribute(color)}"><TR><TD border="0" colspan="2">${head}</TD></TR>`
  for (const r of rows) {
    const href = r.href === undefined ? '' : ` href="${htmlAttribute(r.href)}"`
    out += `<TR><TD align="RIGHT" border="1">${htmlText(r.name)}</TD><TD align="LEFT" border="1"${href}>${htmlText(r.value)}</TD></TR>`
  }
  return new Html(out + '</TABLE>')
}
