// Renderer: every schedula sample lays out, the cache skips Graphviz, hostile ids stay inert, graphs are id-disjoint.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { PlotJSON } from '../../engine/plot/types.ts'
import {
  GraphLayoutError,
  GraphRenderer,
  postProcessSvg,
  renderPlot,
  viewerScript,
  viewerStyle,
  type GraphvizLike,
} from '../../plugin/render/index.ts'
import { decodeEntities } from '../../plugin/render/markup.ts'
import { cryptoModel, mixedWorkflow, sampleDot, sampleNodes, samples } from '../../fixtures/render-schedula/plot.ts'
import { HOSTILE, hostilePlot } from '../../fixtures/render-hostile/plot.ts'
import { prepareGolden } from '../golden.ts'

const tmp = mkdtempSync(join(tmpdir(), 'flowmark-render-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** A renderer without disk cache whose Graphviz loads and layouts are counted. */
function counted(options: { cacheDir?: string | false; failEngines?: readonly string[] } = {}) {
  const calls = { loads: 0, layouts: [] as string[] }
  const renderer = new GraphRenderer({
    cacheDir: options.cacheDir ?? false,
    versionKey: 'test',
    loadGraphviz: async () => {
      calls.loads++
      const { Graphviz } = await import('@hpcc-js/wasm-graphviz')
      const gv = await Graphviz.load()
      const fake: GraphvizLike = {
        version: () => gv.version(),
        layout: (dot, format, engine) => {
          calls.layouts.push(engine)
          if (options.failEngines?.includes(engine)) throw new Error(`engine ${engine} refused`)
          return gv.layout(dot, format, engine as 'dot')
        },
      }
      return fake
    },
  })
  return { renderer, calls }
}

/** Every `id="…"` value in `html` (decoded). */
function ids(html: string): string[] {
  return [...html.matchAll(/\sid="([^"]*)"/g)].map((m) => decodeEntities(m[1] as string))
}

/** Every internal reference (`href="#…"`, `url(#…)`, `aria-labelledby`) in `html` (decoded). */
function refs(html: string): string[] {
  const out: string[] = []
  for (const m of html.matchAll(/href="#([^"]*)"/g)) out.push(decodeEntities(m[1] as string))
  for (const m of html.matchAll(/url\(#([^)]*)\)/g)) out.push(decodeEntities(m[1] as string))
  for (const m of html.matchAll(/aria-labelledby="([^"]*)"/g)) out.push(...(m[1] as string).split(' '))
  return out
}

/** The JSON index embedded in rendered HTML. */
function indexOf(html: string): {
  id: string
  pages: { path: string; section: string; nodes: { id: string; label: string; description?: string; page?: string }[] }[]
} {
  const m = /<script type="application\/json" class="fm-index">([\s\S]*?)<\/script>/.exec(html)
  if (m === null) throw new Error('no JSON index in the rendered HTML')
  return JSON.parse(m[1] as string)
}

describe('layout', () => {
  const { renderer } = counted()
  it.each(samples)('lays out schedula sample %s and post-processes it', async (file) => {
    const dot = sampleDot(file)
    const layout = await renderer.layout(dot, 'dot')
    expect(layout.engine).toBe('dot')
    expect(layout.warnings).toEqual([])
    const nodes = sampleNodes(dot)
    const out = postProcessSvg(layout.svg, { prefix: 'g1-', nodes, title: file, description: 'sample', pageHref: (p) => `#p-${p}` })
    expect(out.svg.startsWith('<svg ')).toBe(true)
    expect(out.svg).not.toMatch(/<\?xml|<!DOCTYPE|<!--/)
    expect(out.svg).toContain('role="img"')
    expect(out.svg).toContain('<title id="g1-title">')
    expect(out.missingNodes).toEqual([])
    expect(out.linkedNodes).toBe(nodes.length)
    expect(out.width).toBeGreaterThan(0)
    // Every id is prefixed, every reference points at an id of the same SVG.
    const own = new Set(ids(out.svg))
    for (const id of own) expect(id.startsWith('g1-')).toBe(true)
    for (const ref of refs(out.svg)) expect(own.has(ref)).toBe(true)
  })

  it('falls back to the next engine when one fails, with a warning', async () => {
    const { renderer: r, calls } = counted({ failEngines: ['dot', 'fdp'] })
    const layout = await r.layout(sampleDot('mixed-dmap.dot'), 'dot')
    expect(layout.engine).toBe('osage')
    expect(calls.layouts).toEqual(['dot', 'fdp', 'osage'])
    expect(layout.warnings).toHaveLength(1)
    expect(layout.warnings[0]).toMatch(
      /layout engine 'dot' failed \(dot: engine dot refused; fdp: engine fdp refused\); used 'osage' instead/,
    )
  })

  it('falls back when Graphviz does not know the engine', async () => {
    const { renderer: r } = counted()
    const layout = await r.layout('digraph { a -> b }', 'no-such-engine')
    expect(layout.engine).toBe('dot')
    expect(layout.warnings[0]).toMatch(/'no-such-engine' failed/)
  })

  it('reports a DOT syntax error once, with the page, without trying every engine', async () => {
    const { renderer: r, calls } = counted()
    await expect(r.layout('digraph { a -> ', 'dot')).rejects.toBeInstanceOf(GraphLayoutError)
    expect(calls.layouts).toEqual(['dot'])
    const plot: PlotJSON = {
      pages: [{ path: '', title: 'broken', kind: 'dmap', parent: undefined, dot: 'digraph {', engine: 'dot', nodes: [] }],
    }
    await expect(renderPlot(plot, { renderer: r })).rejects.toThrow(
      /root page 'broken' of graph 'broken': Graphviz could not lay out the graph with 'dot': syntax error/,
    )
  })
})

describe('cache', () => {
  it('returns identical SVG from disk without loading Graphviz', async () => {
    const dir = join(tmp, 'cache-a')
    const first = counted({ cacheDir: dir })
    const a = await renderPlot(mixedWorkflow, { renderer: first.renderer })
    expect(first.calls.loads).toBe(1)
    expect(first.calls.layouts).toHaveLength(3)

    const second = counted({ cacheDir: dir })
    const b = await renderPlot(mixedWorkflow, { renderer: second.renderer })
    expect(b.html).toBe(a.html)
    expect(second.calls.loads).toBe(0)
    expect(second.calls.layouts).toEqual([])
    expect(second.renderer.stats).toMatchObject({ loads: 0, layouts: 0, cacheHits: 3, cacheMisses: 0 })
  })

  it('keys on DOT text, engine and Graphviz version', () => {
    const r1 = new GraphRenderer({ cacheDir: false, versionKey: 'v1' })
    const r2 = new GraphRenderer({ cacheDir: false, versionKey: 'v2' })
    const dot = 'digraph { a -> b }'
    expect(r1.cacheKey(dot, 'dot')).toBe(r1.cacheKey(dot, 'dot'))
    expect(r1.cacheKey(dot, 'dot')).not.toBe(r1.cacheKey(dot, 'neato'))
    expect(r1.cacheKey(dot, 'dot')).not.toBe(r1.cacheKey(`${dot} `, 'dot'))
    expect(r1.cacheKey(dot, 'dot')).not.toBe(r2.cacheKey(dot, 'dot'))
    expect(new GraphRenderer({ cacheDir: false }).cacheKey(dot, 'dot')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('recomputes a corrupt entry and loads Graphviz once for many layouts', async () => {
    const dir = join(tmp, 'cache-b')
    const { renderer, calls } = counted({ cacheDir: dir })
    const dot = 'digraph { x -> y }'
    const key = renderer.cacheKey(dot, 'dot')
    mkdirSync(join(dir, key.slice(0, 2)), { recursive: true })
    writeFileSync(join(dir, key.slice(0, 2), `${key}.json`), '{not json')
    const layout = await renderer.layout(dot, 'dot')
    expect(layout.cached).toBe(false)
    expect((await renderer.layout(dot, 'dot')).cached).toBe(true)
    await renderer.layout('digraph { p -> q }', 'dot')
    expect(calls.loads).toBe(1)
    expect(existsSync(join(dir, key.slice(0, 2), `${key}.json`))).toBe(true)
  })
})

describe('hostile text', () => {
  it('cannot break out of labels, tooltips, attributes or the JSON index', async () => {
    const plot = hostilePlot()
    const { renderer } = counted()
    const { html, warnings } = await renderPlot(plot, { renderer, description: HOSTILE[2] as string })
    expect(warnings).toEqual([])
    // Exactly one script element: the JSON index; no other raw markup from the data.
    expect(html.match(/<script/g)).toHaveLength(1)
    expect(html.match(/<\/script/g)).toHaveLength(1)
    expect(html).not.toMatch(/<img|<!\[CDATA\[|<!--|javascript:/i)
    // Every tag is well-formed with quoted attributes, none is an event handler, and no stray `<` is left as text.
    const TAG = /<\/?([A-Za-z][\w:-]*)((?:\s+[^\s=>"]+="[^"]*")*)\s*\/?>/g
    const attrNames = [...html.matchAll(TAG)].flatMap((m) => [...(m[2] as string).matchAll(/\s([^\s=]+)="/g)].map((a) => a[1] as string))
    expect(attrNames.filter((n) => /^on/i.test(n))).toEqual([])
    const json = /<script type="application\/json" class="fm-index">[\s\S]*?<\/script>/
    expect(html.replace(json, '').replace(TAG, '')).not.toContain('<')
    // The document is well-formed XML: every attribute is quoted, every tag closed (checked by the SVG tokenizer).
    expect(() => postProcessSvg(html, { prefix: 'x-', nodes: [], title: '', description: '', pageHref: () => '#' })).not.toThrow()
    // Attribute values decode back to the original text.
    const labels = [...html.matchAll(/aria-label="([^"]*)"/g)].map((m) => decodeEntities(m[1] as string))
    for (const text of HOSTILE.slice(1)) expect(labels).toContain(`data ${text}: desc ${text}`)
    expect(labels).toContain(`sub-model ${HOSTILE[0]}: desc ${HOSTILE[0]} (opens its graph)`)
    // The index round-trips exactly.
    const index = indexOf(html)
    expect(index.pages.map((p) => p.path)).toEqual(['', `sub/${HOSTILE[0]}`])
    expect(index.pages[0]?.nodes.map((n) => n.label)).toEqual(HOSTILE)
    expect(index.pages[0]?.nodes.map((n) => n.id)).toEqual(plot.pages[0]?.nodes.map((n) => n.dotId))
    expect(index.pages[1]?.nodes[0]?.description).toBe(HOSTILE[2])
    // The sub-dispatcher's javascript: URL became a link to its section.
    expect(html).toContain(`xlink:href="#${index.pages[1]?.section}"`)
  })

  it('drops scripts, foreign objects and event handlers that an SVG might carry', () => {
    const svg =
      '<svg width="10pt" height="10pt" viewBox="0 0 10 10"><g id="graph0" class="graph"><script>alert(1)</script>' +
      '<foreignObject><div>x</div></foreignObject><a xlink:href="javascript:alert(1)" onclick="alert(2)"><text>t</text></a></g></svg>'
    const out = postProcessSvg(svg, { prefix: 'p-', nodes: [], title: 't', description: 'd', pageHref: () => '#' })
    expect(out.svg).not.toMatch(/script|foreignObject|onclick|javascript/)
    expect(out.svg).toContain('<text>t</text>')
  })
})

describe('markup', () => {
  it('makes two graphs on one page id-disjoint', async () => {
    const { renderer } = counted()
    const a = await renderPlot(mixedWorkflow, { renderer, id: 'first' })
    const b = await renderPlot(mixedWorkflow, { renderer, id: 'second' })
    const idsA = ids(a.html),
      idsB = ids(b.html)
    expect(new Set(idsA).size).toBe(idsA.length)
    expect(new Set(idsB).size).toBe(idsB.length)
    expect(idsA.filter((id) => idsB.includes(id))).toEqual([])
    for (const ref of refs(a.html)) expect(idsA).toContain(ref)
    for (const ref of refs(b.html)) expect(idsB).toContain(ref)
    // Without an id option, a plot's id comes from its content: stable across builds, distinct across plots.
    const c = await renderPlot(mixedWorkflow, { renderer })
    const d = await renderPlot(cryptoModel, { renderer })
    expect(indexOf(c.html).id).toMatch(/^fm-[0-9a-f]{10}$/)
    expect(indexOf(c.html).id).toBe(indexOf((await renderPlot(mixedWorkflow, { renderer })).html).id)
    expect(indexOf(c.html).id).not.toBe(indexOf(d.html).id)
  })

  it('shows the root page, hides sub-pages, links sub-model nodes to their section', async () => {
    const { renderer } = counted()
    const { html, warnings } = await renderPlot(mixedWorkflow, { renderer, id: 'mw' })
    expect(warnings).toEqual([])
    expect(html.startsWith('<flowmark-graph id="mw" class="not-content" data-fm-version="1" data-fm-title="main_model">')).toBe(true)
    const sections = [...html.matchAll(/<section class="fm-page" role="group" id="([^"]+)" data-fm-path="([^"]*)"[^>]*?(hidden="")?>/g)]
    expect(sections.map((m) => [m[1], m[2], m[3] !== undefined])).toEqual([
      ['mw--p0', '', false],
      ['mw--p1', 'my_sub', true],
      ['mw--p2', 'sdf', true],
    ])
    // The my_sub node (dotId 5) opens page my_sub; its schedula .html link now points at the section.
    expect(html).toMatch(
      /<g id="mw-p0-5" class="node fm-node fm-kind-dispatcher fm-opens" data-fm-node="6" aria-label="sub-model my_sub: A sub model. \(opens its graph\)" data-fm-page="my_sub">/,
    )
    expect(html).toContain('xlink:href="#mw--p1"')
    expect(html).not.toContain('main_model/my_sub.html')
    // Sub-pages carry a static breadcrumb for readers without scripts.
    expect(html).toContain(
      '<nav class="fm-static-nav" aria-label="Graph pages"><a href="#mw--p0">main_model</a> <span aria-hidden="true">›</span> <span aria-current="page">my_sub</span></nav>',
    )
    // Node titles are labels, edge titles name both ends.
    expect(html).toContain('<title>my_sub</title>')
    expect(html).toContain('<title>x → sum_xx</title>')
    // Edges name their end nodes by index (x is node 1, sum_xx node 5 of the root page).
    expect(html).toMatch(/<g id="mw-p0-edge\d+" class="edge" data-fm-from="1" data-fm-to="5">\n<title>x → sum_xx<\/title>/)
  })

  it('warns about nodes the SVG lacks and pages the plot lacks', async () => {
    const { renderer } = counted()
    const plot: PlotJSON = {
      pages: [
        {
          path: '',
          title: 't',
          kind: 'dmap',
          parent: undefined,
          dot: 'digraph { a [id=a] }',
          engine: 'dot',
          nodes: [
            { dotId: 'a', label: 'a', kind: 'dispatcher', description: undefined, page: 'gone', state: undefined },
            { dotId: 'zz', label: 'zz', kind: 'data', description: undefined, page: undefined, state: undefined },
          ],
        },
      ],
    }
    const { warnings } = await renderPlot(plot, { renderer })
    expect(warnings).toEqual([
      `root page 't': no SVG node carries the id of "zz"; those nodes get no tooltip or search hit`,
      `root page 't': node 'a' opens page 'gone', which the plot lacks`,
    ])
  })

  it('matches the golden HTML of the symmetric-cryptography sample', async () => {
    const { renderer } = counted()
    const { html } = await renderPlot(cryptoModel, { renderer, id: 'crypto' })
    const golden = new URL('../../fixtures/render-schedula/crypto-dmap.expected.html', import.meta.url)
    const actualDir = new URL('../../fixtures/render-schedula/__actual__/', import.meta.url)
    mkdirSync(actualDir, { recursive: true })
    writeFileSync(new URL('crypto-dmap.html', actualDir), html)
    prepareGolden(golden, html)
    expect(html).toBe(readFileSync(golden, 'utf8'))
  })
})

describe('viewer assets', () => {
  it('serves the viewer as JavaScript that defines FlowmarkGraph and loads outside a browser', async () => {
    const js = await viewerScript()
    expect(js).not.toMatch(/:\s*(?:string|number|boolean)\b[,)=;]/)
    expect(js).toMatch(/customElements\.define\(["']flowmark-graph["']/)
    // One minified file: no imports left to resolve, no comments, far fewer lines than the sources.
    expect(js).not.toMatch(/^\s*import\s|from\s*["']\.\//m)
    expect(js).not.toContain('// ')
    expect(js.split('\n').length).toBeLessThan(20)
    const mod = (await import(`data:text/javascript,${encodeURIComponent(js)}`)) as { FlowmarkGraph?: unknown }
    expect(typeof mod.FlowmarkGraph).toBe('function')
  })

  it('serves the stylesheet with light and dark palettes', async () => {
    const css = await viewerStyle()
    expect(css).toContain('@media (prefers-color-scheme: dark)')
    expect(css).toContain(":root[data-theme='dark'] flowmark-graph")
    expect(css).toContain("[fill='#73c4fa'] { fill: var(--fm-data); }")
  })
})

describe('slow layouts', () => {
  it('warn with advice, and only when laid out (not from the cache)', async () => {
    const dir = join(tmp, 'cache-slow')
    const make = () => new GraphRenderer({ cacheDir: dir, versionKey: 'slow', slowLayoutMs: -1 })
    const dot = 'digraph { splines=ortho; a -> b }'
    const first = await make().layout(dot, 'dot')
    expect(first.warnings).toHaveLength(1)
    expect(first.warnings[0]).toMatch(
      /^layout with 'dot' took \d+\.\d s; splines=ortho is the slow part on large graphs, try plot\(\{ graph: \{ splines: 'polyline' \} \}\) \(cached from now on\)$/,
    )
    expect((await make().layout(dot, 'dot')).warnings).toEqual([])
  })
})

describe('worker threads', () => {
  it('lay out pages in parallel workers with output identical to in-process layout', async () => {
    const pooled = new GraphRenderer({ cacheDir: false, threads: 2 })
    try {
      const a = await renderPlot(mixedWorkflow, { renderer: pooled, id: 'same' })
      const b = await renderPlot(mixedWorkflow, { renderer: counted().renderer, id: 'same' })
      expect(a.html).toBe(b.html)
      expect(pooled.stats.loads).toBe(2)
      expect(pooled.stats.layouts).toBe(3)
    } finally {
      await pooled.close()
    }
  })

  it('stop a layout past the time limit, report it, and keep serving', async () => {
    const r = new GraphRenderer({ cacheDir: false, timeoutMs: 100 })
    try {
      const edges = Array.from({ length: 600 }, (_, k) => `n${k} -> n${(k * 7 + 3) % 400}; n${k} -> n${(k * 13 + 5) % 400}`).join('\n')
      const error = await r.layout(`graph { splines=ortho; ${edges.replace(/->/g, '--')} }`, 'fdp').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(GraphLayoutError)
      expect((error as GraphLayoutError).attempts).toHaveLength(1)
      expect((error as Error).message).toMatch(/did not finish within 100 ms/)
      expect((await r.layout('digraph { a -> b }', 'dot')).svg).toContain('<svg')
      expect(r.stats.loads).toBe(2) // the stopped worker was replaced
    } finally {
      await r.close()
    }
  })
})
