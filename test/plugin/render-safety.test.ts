// Render faults of issue #16: bad cache entries are never served, unsafe URLs are dropped, markup stays well-formed XML.
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Dispatcher } from '../../engine/index.ts'
import { escapeHtml } from '../../plugin/core/html.ts'
import { GraphRenderer, renderPlot } from '../../plugin/render/index.ts'
import { postProcessSvg, safeUrl } from '../../plugin/render/svg.ts'

const work = mkdtempSync(join(tmpdir(), 'flowmark-render-safety-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const DOT = 'digraph { a -> b }'
/** Characters XML does not allow, raw or as character references. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|&#(?:x0*[0-8bcef]|x0*1[0-9a-f]|0*(?:[0-8]|1[124-9]|2\d|3[01]));/i

function entryFile(renderer: GraphRenderer, dot = DOT): string {
  const key = renderer.cacheKey(dot, 'dot')
  return join(renderer.cacheDir!, key.slice(0, 2), `${key}.json`)
}

describe('the layout cache never serves a bad entry', () => {
  const damages: [string, (entry: Record<string, unknown>, text: string) => string][] = [
    ['cut short (not JSON)', (_entry, text) => text.slice(0, 100)],
    ['half an SVG', (entry) => JSON.stringify({ ...entry, svg: (entry['svg'] as string).slice(0, (entry['svg'] as string).length / 2) })],
    ['altered SVG', (entry) => JSON.stringify({ ...entry, svg: (entry['svg'] as string).replace(/>b</g, '>EVIL<') })],
    ['an entry without digest (the old format)', (entry) => JSON.stringify({ svg: entry['svg'], engine: 'dot', warnings: [] })],
  ]
  for (const [name, damage] of damages) {
    it(`${name}: removed, laid out again with a warning, rewritten`, async () => {
      const renderer = new GraphRenderer({ cacheDir: mkdtempSync(join(work, 'cache-')) })
      const fresh = await renderer.layout(DOT)
      const file = entryFile(renderer)
      const text = readFileSync(file, 'utf8')
      writeFileSync(file, damage(JSON.parse(text) as Record<string, unknown>, text))
      const again = await renderer.layout(DOT)
      expect(again.cached).toBe(false)
      expect(again.svg).toBe(fresh.svg)
      expect(again.warnings).toHaveLength(1)
      expect(again.warnings[0]).toMatch(
        /^the cached layout .+\.json (is not valid JSON|was altered or cut short|lacks fields).*; it was removed and the graph laid out again$/,
      )
      expect(readFileSync(file, 'utf8')).toBe(text)
      expect((await renderer.layout(DOT)).cached).toBe(true)
    })
  }

  it('an entry copied from another graph (another key) is not served', async () => {
    const renderer = new GraphRenderer({ cacheDir: mkdtempSync(join(work, 'cache-')) })
    await renderer.layout(DOT)
    const other = 'digraph { x -> y }'
    await renderer.layout(other)
    writeFileSync(entryFile(renderer, other), readFileSync(entryFile(renderer), 'utf8'))
    const again = await renderer.layout(other)
    expect(again.cached).toBe(false)
    expect(again.svg).toContain('>x<')
    expect(again.warnings[0]).toContain('belongs to another graph')
  })

  it('a cached SVG that does not parse, with a matching digest, is laid out again by renderPlot instead of failing', async () => {
    const renderer = new GraphRenderer({ cacheDir: mkdtempSync(join(work, 'cache-')) })
    const dsp = new Dispatcher({ name: 'half' })
    dsp.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const plot = dsp.plot().toJSON()
    const good = await renderPlot(plot, { renderer })
    const page = plot.pages[0]!
    const key = renderer.cacheKey(page.dot, page.engine || 'dot')
    const file = join(renderer.cacheDir!, key.slice(0, 2), `${key}.json`)
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { svg: string; engine: string; warnings: string[] }
    const svg = entry.svg.slice(0, entry.svg.indexOf('<path') + 10)
    const digest = createHash('sha256')
      .update(JSON.stringify([key, svg, entry.engine, entry.warnings]))
      .digest('hex')
    writeFileSync(file, JSON.stringify({ key, svg, engine: entry.engine, warnings: entry.warnings, digest }))
    const again = await renderPlot(plot, { renderer })
    expect(again.html).toBe(good.html)
    expect(again.warnings).toEqual([
      expect.stringMatching(/^root page 'half': the cached layout was not valid SVG \(malformed SVG at offset \d+/),
    ])
    expect(readdirSync(join(renderer.cacheDir!, key.slice(0, 2)))).toEqual([`${key}.json`])
  })
})

describe('links in graphs', () => {
  it('normalises URLs as browsers do and keeps only http(s), mailto, relative and fragment URLs', () => {
    for (const bad of [
      'javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      '\r\njavascript:x',
      ' \u0001JavaScript:x',
      'JAVASCRIPT:x',
      'vbscript:x',
      'data:text/html,<b>',
      'file:///etc/passwd',
      'jav\u0000ascript:x',
    ]) {
      expect(safeUrl(bad), JSON.stringify(bad)).toBeUndefined()
    }
    expect(safeUrl('https://example.com/a?b#c')).toBe('https://example.com/a?b#c')
    expect(safeUrl('HTTP://example.com')).toBe('HTTP://example.com')
    expect(safeUrl('mailto:me@example.com')).toBe('mailto:me@example.com')
    expect(safeUrl(' ht\ttp://example.com ')).toBe('http://example.com')
    expect(safeUrl('../docs/page.html')).toBe('../docs/page.html')
    expect(safeUrl('#node')).toBe('#node')
    expect(safeUrl('//cdn.example.com/x')).toBe('//cdn.example.com/x')
  })

  it('a graphviz URL with a tab inside `javascript:` never reaches the SVG', async () => {
    const dsp = new Dispatcher({ name: 'urls' })
    const link = (id: string, URL: string): void => {
      dsp.addFunction({ id, fn: (x: unknown) => x, inputs: [`in_${id}`], outputs: [`out_${id}`], attributes: { graphviz: { URL } } })
    }
    link('tab', 'java\tscript:alert(1)')
    link('ok', 'https://example.com/')
    const { html } = await renderPlot(dsp.plot().toJSON(), { renderer: new GraphRenderer({ cacheDir: false }) })
    expect(html).not.toMatch(/script:/i)
    expect(html).toContain('href="https://example.com/"')
  })
})

describe('control characters never reach markup', () => {
  it('escapeHtml replaces what XML does not allow and escapes the five specials', () => {
    expect(escapeHtml('a\u0000b\u0007c\u001bd\tx\ny\rz')).toBe('a\uFFFDb\uFFFDc\uFFFDd\tx\ny\rz')
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
    expect(escapeHtml('lone \uD800 surrogate, pair \uD83D\uDE00, \uFFFF')).toBe('lone \uFFFD surrogate, pair \uD83D\uDE00, \uFFFD')
  })

  it('ids and descriptions with NUL, BEL and ESC give well-formed aria-labels, titles and text', async () => {
    const dsp = new Dispatcher({ name: 'ctl\u0007' })
    dsp.addFunction({ id: 'f\u0000n\u001b', fn: (a: number) => a, inputs: ['a\u0007b'], outputs: ['c'], description: 'bell \u0007 here' })
    const { html } = await renderPlot(dsp.plot().toJSON(), { renderer: new GraphRenderer({ cacheDir: false }) })
    expect(html).not.toMatch(NOT_XML)
    expect(html).toContain('aria-label="function f\uFFFDn\uFFFD: bell \uFFFD here"')
    expect(html).toContain('<title>a\uFFFDb</title>')
  })

  it('Graphviz text holding control characters or references to them is cleaned', () => {
    const svg = '<svg width="10pt" height="10pt"><g id="graph0" class="graph"><text>bell\u0007 and &#7; and &#45;</text></g></svg>'
    const { svg: out } = postProcessSvg(svg, { prefix: 'p-', nodes: [], title: 't', description: 'd', pageHref: () => '#' })
    expect(out).not.toMatch(NOT_XML)
    expect(out).toContain('<text>bell\uFFFD and \uFFFD and -</text>')
  })
})
