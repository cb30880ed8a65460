// Post-processing of Graphviz SVG: strip prolog and comments, prefix ids, add accessibility, rewrite node links.
import type { PlotNode } from 'flowmark/plot'
import { escapeHtml } from '../core/html.ts'
import { decodeEntities } from './markup.ts'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/** What the post-processor needs to know about the page whose SVG it rewrites. */
export interface SvgPageContext {
  /** Prepended to every element id and internal reference (`url(#…)`, `href="#…"`); must be unique on the HTML page. */
  readonly prefix: string
  /** The nodes of the page: a node group whose Graphviz `id` equals a node's `dotId` is linked to that node. */
  readonly nodes: readonly PlotNode[]
  /** Accessible name of the drawing (becomes its `<title>`). */
  readonly title: string
  /** Accessible description (becomes its `<desc>`). */
  readonly description: string
  /** The `href` that opens the page at `path` (sub-dispatcher nodes link there instead of their DOT `URL`). */
  readonly pageHref: (path: string) => string
  /**
   * The `href` of node `dotId` on the page at `path` (the target of a sub-model page's `remote parent`/`remote child`
   * rows, written by `plot()` as `#page=<path>&node=<dotId>`); undefined when the plot has no such page.
   */
  readonly nodeHref?: (path: string, dotId: string) => string | undefined
}

/** The rewritten SVG and what the post-processor found in it. */
export interface ProcessedSvg {
  /** SVG markup without prolog, DOCTYPE or comments, ready to inline in HTML. */
  readonly svg: string
  /** How many node groups were linked to a `PlotNode` (by `dotId`). */
  readonly linkedNodes: number
  /** `dotId`s of the page's nodes that no node group in the SVG carried. */
  readonly missingNodes: readonly string[]
  /** Width and height of the drawing in CSS pixels (from the SVG's `width`/`height` in points). */
  readonly width: number
  readonly height: number
}

/** Raised when the input is not the well-formed SVG that Graphviz writes. */
export class SvgFormatError extends FlowmarkPluginError {
  static {
    nameError(this, 'SvgFormatError')
  }
}

type Attr = [name: string, value: string]
type Token =
  | { readonly t: 'open'; readonly name: string; readonly attrs: Attr[]; readonly selfClose: boolean }
  /** An open tag copied through unchanged: a drawing element without ids, links, classes, styles or handlers. */
  | { readonly t: 'raw'; readonly name: string; readonly raw: string; readonly selfClose: boolean }
  | { readonly t: 'close'; readonly name: string }
  /** Text: `raw` is Graphviz's escaped form (no `<`), `text` the decoded form for CDATA. */
  | { readonly t: 'text'; readonly raw: string | undefined; readonly text: string }
  | { readonly t: 'skip' }

/** Elements always parsed (they get new attributes or are dropped). */
const PARSED = new Set(['svg', 'g', 'a', 'title', 'script', 'foreignObject', 'iframe', 'object', 'embed', 'style', 'use', 'image'])
/** Attributes that need rewriting or checking (and tags holding references or characters XML does not allow). */
const SENSITIVE = /\s(?:id|href|xlink:href|class|style|on[\w-]*)\s*=|url\(|&|[\u0000-\u0008\u000B\u000C\u000E-\u001F]/i
const SKIP: Token = { t: 'skip' }

const TOKEN =
  /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>[]*(?:\[[^\]]*\])?\s*>|<\/([A-Za-z_][\w:.-]*)\s*>|<([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|[^<]+/gy
const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g

/** Splits well-formed XML into tokens; attribute values and text are decoded. Throws `SvgFormatError` otherwise. */
function tokenize(xml: string): Token[] {
  const tokens: Token[] = []
  TOKEN.lastIndex = 0
  let pos = 0
  while (pos < xml.length) {
    const m = TOKEN.exec(xml)
    if (m === null) {
      throw new SvgFormatError(`malformed SVG at offset ${pos}: ${JSON.stringify(xml.slice(pos, pos + 40))}; expected Graphviz SVG output`)
    }
    pos = TOKEN.lastIndex
    const whole = m[0]
    if (m[1] !== undefined) tokens.push({ t: 'text', raw: undefined, text: m[1] })
    else if (m[2] !== undefined) tokens.push({ t: 'close', name: m[2] })
    else if (m[3] !== undefined) {
      const body = m[4] ?? ''
      if (!PARSED.has(m[3]) && !SENSITIVE.test(body)) {
        tokens.push({ t: 'raw', name: m[3], raw: whole, selfClose: m[5] === '/' })
        continue
      }
      const attrs: Attr[] = []
      ATTR.lastIndex = 0
      for (let a = ATTR.exec(body); a !== null; a = ATTR.exec(body)) attrs.push([a[1] as string, decodeEntities(a[2] ?? a[3] ?? '')])
      tokens.push({ t: 'open', name: m[3], attrs, selfClose: m[5] === '/' })
    } else if (whole[0] === '<') tokens.push(SKIP)
    else tokens.push({ t: 'text', raw: whole, text: '' })
  }
  return tokens
}

function textOf(tok: Token & { t: 'text' }): string {
  return tok.raw === undefined ? tok.text : decodeEntities(tok.raw)
}

function get(attrs: readonly Attr[], name: string): string | undefined {
  for (const [k, v] of attrs) if (k === name) return v
  return undefined
}

function hasClass(attrs: readonly Attr[], cls: string): boolean {
  return (get(attrs, 'class') ?? '').split(/\s+/).includes(cls)
}

/** The URL schemes a link in a graph may have; relative and fragment URLs are allowed too. */
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto'])

/**
 * A link target as browsers read it, or `undefined` when it must not be a link. Browsers remove ASCII tab, line feed
 * and carriage return anywhere in a URL and trim leading and trailing C0 controls and spaces, so `java\tscript:` is
 * `javascript:`; the scheme (compared in lower case) must then be `http`, `https` or `mailto`. A URL without a scheme
 * (relative, `//host/…`, `?query`, `#fragment`) is kept.
 * @param url The `href` as written (entities decoded).
 * @returns The normalised URL, or `undefined` to drop the link.
 */
export function safeUrl(url: string): string | undefined {
  const normal = url.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '')
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(normal)
  if (scheme !== null && !SAFE_SCHEMES.has(scheme[1]!.toLowerCase())) return undefined
  // Any other control character left inside: not a URL a graph needs.
  if (/[\u0000-\u001F\u007F]/.test(normal)) return undefined
  return normal
}

/**
 * Graphviz's escaped text as it may be copied through: unchanged, unless it holds characters or character references
 * XML does not allow (NUL, BEL, ESC, `&#7;`…), which are then replaced by decoding and escaping it again.
 */
function cleanText(raw: string): string {
  if (!/[\u0000-\u0008\u000B\u000C\u000E-\u001F]|&#/.test(raw)) return raw
  const text = decodeEntities(raw)
  return /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(text) ? escapeHtml(text) : raw
}
const DROP_ELEMENTS = new Set(['script', 'foreignObject', 'iframe', 'object', 'embed'])
const KIND_WORD: Record<PlotNode['kind'], string> = {
  data: 'data',
  function: 'function',
  dispatcher: 'sub-model',
  start: 'start',
  sink: 'sink',
  end: 'end',
  self: 'self',
  plot: 'plot',
  other: 'node',
}

/** The accessible label of a node: kind, name, what it opens and its description. */
export function nodeAriaLabel(node: PlotNode): string {
  const parts = [`${KIND_WORD[node.kind]} ${node.label}`]
  if (node.state === 'error') parts.push('(failed)')
  else if (node.state === 'missing') parts.push('(missing inputs or outputs)')
  let label = parts.join(' ')
  if (node.description !== undefined && node.description !== '') label += `: ${node.description}`
  if (node.page !== undefined) label += ' (opens its graph)'
  return label
}

function ptToPx(value: string | undefined): number {
  if (value === undefined) return 0
  const n = Number.parseFloat(value)
  if (!Number.isFinite(n)) return 0
  return value.endsWith('pt') ? (n * 4) / 3 : n
}

/**
 * Rewrites one page's Graphviz SVG for inlining in HTML next to other graphs: drops the prolog, DOCTYPE and comments;
 * prefixes every id and internal reference; gives the `<svg>` `role="img"`, a `<title>` and a `<desc>`; links node
 * groups to their `PlotNode` (`data-fm-node` index, kind/state classes, `aria-label`, human `<title>`); points the links
 * of sub-dispatcher nodes at their page; and drops scripts, event handlers and links other than http(s), mailto,
 * relative and fragment URLs ({@link safeUrl}). Characters XML does not allow never reach the output.
 * Colours are left as Graphviz wrote them: the viewer stylesheet maps them to CSS custom properties.
 */
export function postProcessSvg(svg: string, ctx: SvgPageContext): ProcessedSvg {
  return new SvgRewriter(tokenize(svg), ctx).run()
}

/** What an open element is in Graphviz's output: the graph, a node, an edge or a cluster group, or anything else. */
type Role = 'graph' | 'node' | 'edge' | 'cluster' | 'other'

/** An element open in the output, with the node it belongs to (index into the page's nodes) if it is a node group. */
interface Frame {
  readonly name: string
  readonly role: Role
  readonly node: number | undefined
}

/** One pass over the tokens of one page's SVG, writing the rewritten markup (see {@link postProcessSvg}). */
class SvgRewriter {
  readonly #tokens: readonly Token[]
  readonly #ctx: SvgPageContext
  /** Node dotId → index of its first PlotNode. */
  readonly #byDotId = new Map<string, number>()
  /** DOT node name (the group's <title>) → label, for readable edge titles. */
  readonly #nameToLabel = new Map<string, string>()
  /** DOT node name → node index, for the ends of edges. */
  readonly #nameToIndex = new Map<string, number>()
  readonly #out: string[] = []
  readonly #stack: Frame[] = []
  /** Indices of the nodes found in the SVG. */
  readonly #seen = new Set<number>()
  #width = 0
  #height = 0
  /** The current token. */
  #i = 0
  // Graphviz numbers the anchors of HTML-like label cells (`a_<group id>_<n>`) with a counter global to the Graphviz
  // instance, so the same DOT gets different ids depending on what was laid out before. Renumber them per group.
  #group: string | undefined
  #anchors = 0

  constructor(tokens: readonly Token[], ctx: SvgPageContext) {
    this.#tokens = tokens
    this.#ctx = ctx
    ctx.nodes.forEach((n, i) => {
      if (!this.#byDotId.has(n.dotId)) this.#byDotId.set(n.dotId, i)
    })
    this.#readNodeNames()
  }

  /** Pass 1: DOT node name (the group's <title>) → label and node index, for readable edge titles and edge ends. */
  #readNodeNames(): void {
    const tokens = this.#tokens
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i] as Token
      if (tok.t !== 'open' || tok.name !== 'g' || !hasClass(tok.attrs, 'node')) continue
      const name = this.#titleOf(i)
      if (name === undefined) continue
      const index = this.#byDotId.get(get(tok.attrs, 'id') ?? '')
      this.#nameToLabel.set(name, index === undefined ? name : (this.#ctx.nodes[index] as PlotNode).label)
      if (index !== undefined) this.#nameToIndex.set(name, index)
    }
  }

  /** The text of the `<title>` that opens the element at token `i`, if it has one. */
  #titleOf(i: number): string | undefined {
    const tokens = this.#tokens
    let j = i + 1
    while (tokens[j]?.t === 'text' && textOf(tokens[j] as Token & { t: 'text' }).trim() === '') j++
    const next = tokens[j],
      text = tokens[j + 1]
    return next?.t === 'open' && next.name === 'title' && text?.t === 'text' ? textOf(text) : undefined
  }

  /** Pass 2: writes every token, then checks that the SVG was complete. */
  run(): ProcessedSvg {
    const tokens = this.#tokens
    const out = this.#out
    const stack = this.#stack
    for (; this.#i < tokens.length; this.#i++) {
      const tok = tokens[this.#i] as Token
      if (tok.t === 'skip') continue
      if (tok.t === 'text') {
        if (stack.length === 0) continue // whitespace between prolog and <svg>
        out.push(tok.raw === undefined ? escapeHtml(tok.text) : cleanText(tok.raw))
      } else if (tok.t === 'raw') {
        out.push(tok.raw)
        if (!tok.selfClose) stack.push({ name: tok.name, role: 'other', node: undefined })
      } else if (tok.t === 'close') {
        stack.pop()
        out.push(`</${tok.name}>`)
      } else if (DROP_ELEMENTS.has(tok.name)) {
        this.#skipElement()
      } else if (tok.name === 'title' && !tok.selfClose) {
        this.#title()
      } else {
        this.#element(tok)
      }
    }
    if (stack.length > 0)
      throw new SvgFormatError(`unclosed <${(stack[stack.length - 1] as Frame).name}> in SVG; expected complete Graphviz output`)
    const missingNodes = this.#ctx.nodes.filter((_, k) => !this.#seen.has(k)).map((n) => n.dotId)
    return { svg: out.join('').trim(), linkedNodes: this.#seen.size, missingNodes, width: this.#width, height: this.#height }
  }

  /** Skips the element opened at the current token, up to its matching close. */
  #skipElement(): void {
    const tokens = this.#tokens
    const open = tokens[this.#i] as Token & { t: 'open' }
    if (open.selfClose) return
    let depth = 1
    while (depth > 0 && ++this.#i < tokens.length) {
      const t = tokens[this.#i] as Token
      if ((t.t === 'open' || t.t === 'raw') && !t.selfClose) depth++
      else if (t.t === 'close') depth--
    }
  }

  /** A `<title>`: node and edge titles become their readable labels; other titles are dropped. */
  #title(): void {
    const tokens = this.#tokens
    const parent = this.#stack[this.#stack.length - 1]
    // Collect the title text, then decide what to write.
    let text = ''
    let j = this.#i + 1
    for (; j < tokens.length && (tokens[j] as Token).t !== 'close'; j++) {
      const t = tokens[j] as Token
      if (t.t === 'text') text += textOf(t)
    }
    this.#i = j
    if (parent === undefined || parent.role === 'graph' || parent.role === 'cluster' || parent.role === 'other') return
    const title =
      parent.role !== 'node'
        ? edgeTitle(text, this.#nameToLabel)
        : parent.node === undefined
          ? (this.#nameToLabel.get(text) ?? text)
          : (this.#ctx.nodes[parent.node] as PlotNode).label
    this.#out.push(`<title>${escapeHtml(title)}</title>`)
  }

  /** The node index of the innermost open node group, if any. */
  #currentNode(): number | undefined {
    const stack = this.#stack
    for (let k = stack.length - 1; k >= 0; k--) if ((stack[k] as Frame).node !== undefined) return (stack[k] as Frame).node
    return undefined
  }

  /** An open element: its attributes rewritten, plus the viewer's data attributes on the root, nodes and edges. */
  #element(tok: Token & { t: 'open' }): void {
    const { prefix } = this.#ctx
    let role: Role = 'other'
    let node: number | undefined
    if (tok.name === 'g') {
      if (hasClass(tok.attrs, 'graph')) role = 'graph'
      else if (hasClass(tok.attrs, 'node')) role = 'node'
      else if (hasClass(tok.attrs, 'edge')) role = 'edge'
      else if (hasClass(tok.attrs, 'cluster')) role = 'cluster'
      if (role === 'node') node = this.#byDotId.get(get(tok.attrs, 'id') ?? '')
      if (role === 'node' || role === 'edge' || role === 'cluster') {
        this.#group = get(tok.attrs, 'id')
        this.#anchors = 0
      }
    }
    const attrs = this.#attributes(tok, role, node)

    if (tok.name === 'svg' && this.#stack.length === 0) {
      this.#width = ptToPx(get(tok.attrs, 'width'))
      this.#height = ptToPx(get(tok.attrs, 'height'))
      attrs.push(['class', 'fm-svg'], ['role', 'img'], ['aria-labelledby', `${prefix}title ${prefix}desc`])
    }
    if (role === 'edge') {
      // Which nodes the edge joins (indices into ctx.nodes), for the viewer's highlighting.
      const ends = splitEdge(this.#titleOf(this.#i) ?? '', this.#nameToLabel)
      const from = ends === undefined ? undefined : this.#nameToIndex.get(ends[0])
      const to = ends === undefined ? undefined : this.#nameToIndex.get(ends[1])
      if (from !== undefined) attrs.push(['data-fm-from', String(from)])
      if (to !== undefined) attrs.push(['data-fm-to', String(to)])
    }
    if (role === 'node' && node !== undefined) {
      const n = this.#ctx.nodes[node] as PlotNode
      this.#seen.add(node)
      attrs.push(['data-fm-node', String(node)], ['aria-label', nodeAriaLabel(n)])
      if (n.page !== undefined) attrs.push(['data-fm-page', n.page])
    }
    this.#out.push(`<${tok.name}${attrs.map(([k, v]) => ` ${k}="${escapeHtml(v)}"`).join('')}${tok.selfClose ? '/>' : '>'}`)
    if (!tok.selfClose) this.#stack.push({ name: tok.name, role, node })
    if (tok.name === 'svg' && this.#stack.length === 1) {
      this.#out.push(`<title id="${escapeHtml(prefix)}title">${escapeHtml(this.#ctx.title)}</title>`)
      this.#out.push(`<desc id="${escapeHtml(prefix)}desc">${escapeHtml(this.#ctx.description)}</desc>`)
    }
  }

  /** An element's attributes: no event handlers, prefixed ids and references, safe or rewritten links, node classes. */
  #attributes(tok: Token & { t: 'open' }, role: Role, node: number | undefined): Attr[] {
    const ctx = this.#ctx
    const { prefix } = ctx
    const inNode = node ?? this.#currentNode()
    const plotNode = inNode === undefined ? undefined : ctx.nodes[inNode]
    const attrs: Attr[] = []
    for (const [name, value] of tok.attrs) {
      if (/^on/i.test(name)) continue
      if (name === 'id') {
        attrs.push([name, prefix + this.#stableId(value)])
        continue
      }
      if (name === 'href' || name === 'xlink:href') {
        const target = plotLink(value)
        if (plotNode?.page !== undefined) attrs.push([name, ctx.pageHref(plotNode.page)])
        else if (target?.node !== undefined && ctx.nodeHref?.(target.path, target.node) !== undefined)
          attrs.push([name, ctx.nodeHref(target.path, target.node) as string])
        else if (target !== undefined && target.node === undefined) attrs.push([name, ctx.pageHref(target.path)])
        else if (value.startsWith('#')) attrs.push([name, `#${prefix}${value.slice(1)}`])
        else {
          const url = safeUrl(value)
          if (url !== undefined) attrs.push([name, url])
        }
        continue
      }
      if (name === 'class' && role === 'node' && node !== undefined) {
        const n = ctx.nodes[node] as PlotNode
        const cls = [value, 'fm-node', `fm-kind-${n.kind}`]
        if (n.state !== undefined) cls.push(`fm-state-${n.state}`)
        if (n.page !== undefined) cls.push('fm-opens')
        attrs.push([name, cls.join(' ')])
        continue
      }
      attrs.push([name, value.includes('url(') ? value.replace(/url\(\s*#([^)]*)\)/g, (_, id: string) => `url(#${prefix}${id})`) : value])
    }
    return attrs
  }

  /** An id with a Graphviz anchor counter renumbered within the current group. */
  #stableId(id: string): string {
    const group = this.#group
    if (group === undefined || !id.startsWith(`a_${group}_`) || !/^\d+$/.test(id.slice(group.length + 3))) return id
    return `a_${group}_${this.#anchors++}`
  }
}

/** The page and node of a link in `plot()`'s default form, `#page=<path>[&node=<dotId>]` (URI-encoded), else undefined. */
function plotLink(href: string): { path: string; node: string | undefined } | undefined {
  const m = /^#page=([^&]*)(?:&node=(.*))?$/s.exec(href)
  if (m === null) return undefined
  try {
    return { path: decodeURIComponent(m[1] ?? ''), node: m[2] === undefined ? undefined : decodeURIComponent(m[2]) }
  } catch {
    return undefined
  }
}

/** `a -> b` (DOT names) → `a → b` (node labels), splitting where both sides are known names. */
function edgeTitle(text: string, names: ReadonlyMap<string, string>): string {
  const ends = splitEdge(text, names)
  if (ends === undefined) return text.replace(text.includes('->') ? '->' : '--', ' → ')
  return `${names.get(ends[0]) as string} → ${names.get(ends[1]) as string}`
}

/** The two DOT node names of an edge title `a->b` (ports dropped), splitting where both sides are known names. */
function splitEdge(text: string, names: ReadonlyMap<string, string>): [string, string] | undefined {
  const sep = text.includes('->') ? '->' : '--'
  let at = text.indexOf(sep)
  while (at !== -1) {
    const a = text.slice(0, at),
      b = text.slice(at + sep.length)
    const na = names.has(a) ? a : a.replace(/:[^:]*$/, '')
    const nb = names.has(b) ? b : b.replace(/:[^:]*$/, '')
    if (names.has(na) && names.has(nb)) return [na, nb]
    at = text.indexOf(sep, at + 1)
  }
  return undefined
}
