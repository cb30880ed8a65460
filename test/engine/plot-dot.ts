// Test helper: a small DOT reader (statements, attributes, clusters) and an HTML-like label table reader.

/** A parsed DOT graph: graph attributes, nodes by name (in order), edges, and clusters with their nodes. */
export interface DotGraph {
  readonly name: string
  readonly graph: Map<string, string>
  readonly nodes: Map<string, Map<string, string>>
  readonly edges: { from: string; to: string; attrs: Map<string, string> }[]
  readonly clusters: { name: string; label: string | undefined; nodes: string[] }[]
}

type Token = { t: 'id' | 'str' | 'html' | 'p'; v: string }

function tokenize(src: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (src.startsWith('//', i) || (c === '#' && (i === 0 || src[i - 1] === '\n'))) {
      while (i < src.length && src[i] !== '\n') i++
      continue
    }
    if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2)
      i = end < 0 ? src.length : end + 2
      continue
    }
    if (c === '"') {
      let v = ''
      i++
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && src[i + 1] === '"') {
          v += '"'
          i += 2
          continue
        }
        if (src[i] === '\\' && src[i + 1] === '\n') {
          i += 2
          continue
        }
        v += src[i]
        i++
      }
      if (i >= src.length) throw new Error('unterminated string')
      i++
      out.push({ t: 'str', v })
      continue
    }
    if (c === '<') {
      let depth = 0
      let j = i
      for (; j < src.length; j++) {
        if (src[j] === '<') depth++
        else if (src[j] === '>') {
          depth--
          if (depth === 0) break
        }
      }
      if (depth !== 0) throw new Error('unterminated HTML string')
      out.push({ t: 'html', v: src.slice(i + 1, j) })
      i = j + 1
      continue
    }
    if (src.startsWith('->', i) || src.startsWith('--', i)) {
      out.push({ t: 'p', v: src.slice(i, i + 2) })
      i += 2
      continue
    }
    if ('{}[]=;,:'.includes(c)) {
      out.push({ t: 'p', v: c })
      i++
      continue
    }
    const m = /^[A-Za-z_\u0080-\uFFFF0-9.-]+/.exec(src.slice(i))
    if (!m) throw new Error(`unexpected character ${JSON.stringify(c)} at ${i}`)
    out.push({ t: 'id', v: m[0] })
    i += m[0].length
  }
  return out
}

/** Parses one `digraph`/`graph` (the first in `src`). Throws on syntax it does not know. */
export function parseDot(src: string): DotGraph {
  const toks = tokenize(src)
  let k = 0
  const peek = () => toks[k]
  const next = () => {
    const t = toks[k++]
    if (t === undefined) throw new Error('unexpected end of DOT')
    return t
  }
  const expect = (v: string) => {
    const t = next()
    if (t.v !== v || t.t !== 'p') throw new Error(`expected ${v}, got ${t.v}`)
  }
  if (peek()?.v === 'strict') next()
  const kw = next()
  if (kw.v !== 'digraph' && kw.v !== 'graph') throw new Error(`expected digraph, got ${kw.v}`)
  let name = ''
  if (peek()?.t !== 'p') name = next().v
  expect('{')
  const g: DotGraph = { name, graph: new Map(), nodes: new Map(), edges: [], clusters: [] }
  const attrList = (): Map<string, string> => {
    const m = new Map<string, string>()
    while (peek()?.v === '[') {
      next()
      while (peek()?.v !== ']') {
        const key = next().v
        expect('=')
        const val = next()
        m.set(key, val.t === 'html' ? `<${val.v}>` : val.v)
        if (peek()?.v === ',' || peek()?.v === ';') next()
      }
      expect(']')
    }
    return m
  }
  const addNode = (n: string, attrs: Map<string, string>) => {
    const had = g.nodes.get(n)
    if (had === undefined) g.nodes.set(n, attrs)
    else for (const [a, b] of attrs) had.set(a, b)
  }
  const body = (cluster: { nodes: string[]; label: string | undefined } | undefined) => {
    while (peek() !== undefined && peek()!.v !== '}') {
      const t = next()
      if (t.t === 'p' && t.v === ';') continue
      if (t.t === 'id' && t.v === 'subgraph') {
        const sname = peek()?.t !== 'p' ? next().v : ''
        expect('{')
        const c = { name: sname, label: undefined as string | undefined, nodes: [] as string[] }
        g.clusters.push(c)
        body(c)
        expect('}')
        continue
      }
      if (t.t === 'id' && (t.v === 'graph' || t.v === 'node' || t.v === 'edge') && peek()?.v === '[') {
        const attrs = attrList()
        if (t.v === 'graph') {
          if (cluster) {
            if (attrs.has('label')) cluster.label = attrs.get('label')
          } else for (const [a, b] of attrs) g.graph.set(a, b)
        }
        continue
      }
      if (peek()?.v === '=') {
        next()
        const val = next()
        const v = val.t === 'html' ? `<${val.v}>` : val.v
        if (cluster) {
          if (t.v === 'label') cluster.label = v
        } else g.graph.set(t.v, v)
        continue
      }
      const ids = [t.v]
      while (peek()?.v === '->' || peek()?.v === '--') {
        next()
        ids.push(next().v)
      }
      const attrs = attrList()
      if (ids.length === 1) {
        addNode(ids[0]!, attrs)
        cluster?.nodes.push(ids[0]!)
      } else {
        for (let i = 0; i + 1 < ids.length; i++) {
          for (const n of [ids[i]!, ids[i + 1]!]) if (!g.nodes.has(n)) g.nodes.set(n, new Map())
          g.edges.push({ from: ids[i]!, to: ids[i + 1]!, attrs })
        }
      }
    }
  }
  body(undefined)
  expect('}')
  return g
}

/** Decodes the XML entities and `<BR/>` of HTML-like label text; strips the other tags. */
export function htmlToText(html: string): string {
  return html
    .replace(/<BR\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
}

/** A node or edge label table: its title and `name → value` rows (in order). */
export interface LabelTable {
  readonly title: string
  readonly rows: { name: string; value: string; href: string | undefined }[]
}

/**
 * Reads a label: an HTML-like table (`<<TABLE>…</TABLE>>`) gives its title and rows; a plain label gives a title
 * and no rows. Badge tables nested in the title are read as title text after the badge number.
 */
export function readLabel(label: string | undefined): LabelTable {
  if (label === undefined) return { title: '', rows: [] }
  if (!label.startsWith('<')) return { title: label, rows: [] }
  const inner = label.slice(1, -1)
  const trs: string[] = []
  // Split the outer table into its top-level rows.
  let depth = 0
  let start = -1
  const re = /<(\/?)(TABLE|TR)\b[^>]*>/gi
  let m: RegExpExecArray | null
  while ((m = re.exec(inner)) !== null) {
    const close = m[1] === '/'
    const tag = m[2]!.toUpperCase()
    if (tag === 'TABLE') depth += close ? -1 : 1
    else if (depth === 1 && !close) start = m.index + m[0].length
    else if (depth === 1 && close && start >= 0) {
      trs.push(inner.slice(start, m.index))
      start = -1
    }
  }
  const cells = (tr: string) => {
    const out: { text: string; href: string | undefined }[] = []
    const cre = /<TD\b([^>]*)>([\s\S]*?)<\/TD>/gi
    let c: RegExpExecArray | null
    while ((c = cre.exec(tr)) !== null) {
      const raw = /href="([^"]*)"/.exec(c[1]!)?.[1]
      const href = raw === undefined ? undefined : htmlToText(raw)
      out.push({ text: htmlToText(c[2]!), href })
    }
    return out
  }
  const [head, ...rest] = trs
  const title = head === undefined ? '' : htmlToText(head).trim()
  return {
    title,
    rows: rest.map((tr) => {
      const [a, b] = cells(tr)
      return { name: a?.text ?? '', value: b?.text ?? '', href: b?.href }
    }),
  }
}

/** All the pages of a plot as one text: each page's DOT after a `// page "<path>" <kind>: <title>` comment line. */
export function pagesText(plot: { pages: readonly { path: string; kind: string; title: string; dot: string }[] }): string {
  return plot.pages.map((p) => `// page ${JSON.stringify(p.path)} ${p.kind}: ${JSON.stringify(p.title)}\n${p.dot}`).join('\n')
}

/** Splits a `pagesText` file back into its DOT pages. */
export function splitPages(text: string): string[] {
  return text
    .split(/^\/\/ page .*$/m)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}
