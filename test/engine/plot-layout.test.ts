// Every golden page and every schedula sample lays out with Graphviz WASM; hostile ids stay text in the SVG.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Graphviz } from '@hpcc-js/wasm-graphviz'
import { beforeAll, describe, expect, it } from 'vitest'
import { Dispatcher } from '../../engine/index.ts'
import { legend } from '../../engine/plot/index.ts'
import { HOSTILE_IDS, model as hostileModel, run as hostileRun } from '../../fixtures/plot-hostile/input.ts'
import { splitPages } from './plot-dot.ts'

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures')
// schedula's own DOT output (copied from the research notes into the renderer's fixtures).
const SAMPLES = fileURLToPath(new URL('../../fixtures/render-schedula/', import.meta.url))

let gv: Graphviz
beforeAll(async () => {
  gv = await Graphviz.load()
})

/** Lays out and returns the SVG; Graphviz errors become test failures with the DOT attached. */
function layout(dot: string, engine: 'dot' | 'fdp' | 'neato' = 'dot'): string {
  const svg = gv.layout(dot, 'svg', engine)
  expect(svg).toContain('<svg')
  return svg
}

/** The SVG node groups: `<g id="…" class="node">`, with the id decoded. */
function svgNodeIds(svg: string): string[] {
  return [...svg.matchAll(/<g id="([^"]*)" class="node">/g)].map((m) => m[1]!.replace(/&#45;/g, '-').replace(/&amp;/g, '&'))
}

/** The texts Graphviz drew, entities decoded. */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!
      .replace(/&#45;/g, '-')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  )
}

describe('Graphviz lays out', () => {
  const goldens = readdirSync(FIXTURES)
    .filter((d) => d.startsWith('plot-'))
    .flatMap((d) =>
      readdirSync(join(FIXTURES, d))
        .filter((f) => f.endsWith('.dot'))
        .map((f) => join(d, f)),
    )

  it('finds the golden files', () => {
    expect(goldens.length).toBeGreaterThanOrEqual(16)
  })

  for (const file of goldens) {
    it(`every page of ${file}`, () => {
      const pages = splitPages(readFileSync(join(FIXTURES, file), 'utf8'))
      expect(pages.length).toBeGreaterThan(0)
      for (const dot of pages) {
        const svg = layout(dot)
        // One SVG node group per node statement, each with the stable id we set.
        const declared = [...dot.matchAll(/^\t"([^"]+)" \[/gm)].map((m) => m[1]!)
        expect(svgNodeIds(svg).sort()).toEqual(declared.sort())
      }
    })
  }

  for (const file of readdirSync(SAMPLES).filter((f) => f.endsWith('.dot'))) {
    it(`the schedula sample ${file}`, () => {
      layout(readFileSync(join(SAMPLES, file), 'utf8'))
    })
  }

  it('the legend, with dot, fdp and neato', () => {
    for (const engine of ['dot', 'fdp', 'neato'] as const) layout(legend().pages[0]!.dot, engine)
  })
})

describe('hostile ids', () => {
  it('stay inside their labels, tooltips and attributes', () => {
    const plots = [hostileModel().plot(), hostileRun(hostileModel()).plot()]
    for (const plot of plots) {
      for (const page of plot.pages) {
        const svg = layout(page.dot)
        // No statement escaped: exactly the nodes the page lists, with their ids.
        expect(svgNodeIds(svg).sort()).toEqual(page.nodes.map((n) => n.dotId).sort())
        expect(svg).not.toMatch(/<title>evil/)
        // Every node whose title Graphviz drew is drawn with its full, literal id text (newlines split the lines).
        const texts = svgTexts(svg).join('\n')
        for (const n of page.nodes) {
          for (const line of n.label.replace(/\r\n?/g, '\n').split('\n')) {
            const shown = line
              .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)))
              .replace(/\u007F/g, '\u2421')
              .replace(/\t/g, ' ')
            if (shown.trim() !== '') expect(texts, `title of ${JSON.stringify(n.label)}`).toContain(shown.trim())
          }
        }
        // Tooltips read back exactly (Graphviz writes them as xlink:title).
        if (page.nodes.some((n) => n.label === HOSTILE_IDS[0])) {
          expect(svg).toContain('xlink:title="tooltip &quot;] evil3 [ \\N \\\\ &lt;x&gt;"')
        }
      }
    }
    expect(HOSTILE_IDS.length).toBeGreaterThan(5)
  })

  it('cannot inject through option values, style strings, link targets or cluster names', () => {
    const dsp = new Dispatcher()
    dsp.addData({ id: 'a', attributes: { cluster: '"]; evil [', graphviz: { xlabel: '"]; evil2 [ \\N' } } })
    dsp.addDispatcher({ dispatcher: new Dispatcher({ name: 'c' }), id: 'S', inputs: {}, outputs: {} })
    const plot = dsp.plot({
      graph: { label: '"]; evil3 [label="' },
      node: { fontname: 'x"]; evil4 [' },
      nodeStyle: { a: { label: '</TD>"]; evil5 [', tooltip: '\\G"]; evil6 [' } },
      pageUrl: (p) => `"><script>alert(1)</script>${p}\\N`,
    })
    const svg = layout(plot.pages[0]!.dot)
    expect(svgNodeIds(svg).sort()).toEqual(plot.pages[0]!.nodes.map((n) => n.dotId).sort())
    expect(svg).not.toMatch(/<title>evil|<script>/)
    expect(svgTexts(svg)).toContain('</TD>"]; evil5 [')
    // The link reads back literally: `\N` is not expanded into the node name.
    expect(svg).toContain('xlink:href="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;S\\N"')
    expect(svg).toContain('xlink:title="\\G&quot;]; evil6 ["')
    expect(svgTexts(svg)).toContain('"]; evil2 [ \\N')
  })

  it('cannot inject through the values, descriptions or error messages', () => {
    const dsp = new Dispatcher({ name: 'values' })
    dsp.addData({
      id: 'v',
      defaultValue: { '"];x[label="': '</TD></TR></TABLE>>]; y [', nested: ['\\N', ']]>'] },
      description: '"]\n; z [',
    })
    dsp.addFunction({
      id: 'f',
      fn: () => {
        throw new Error('</TABLE>"];w[')
      },
      inputs: ['v'],
      outputs: ['o'],
    })
    for (const plot of [dsp.plot(), dsp.dispatch().plot({ rows: { data: ['.tooltip', 'default_values', 'output', 'error'] } })]) {
      const svg = layout(plot.pages[0]!.dot)
      expect(svgNodeIds(svg).sort()).toEqual(plot.pages[0]!.nodes.map((n) => n.dotId).sort())
      expect(svgTexts(svg).join('\n')).toContain("'</TD></TR></TABLE>>]; y ['")
    }
  })
})
