// API pages rendered by Astro's own Markdown processor with the Flowmark remark plugin: tables, graphs, heading ids.
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createMarkdownProcessor, type MarkdownRenderer } from '@astrojs/markdown-remark'
import remarkDirective from 'remark-directive'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateApi, type ApiPage } from '../../plugin/api/index.ts'
import { remarkDispatcher } from '../../plugin/remark.ts'

const root = path.resolve(import.meta.dirname, '../..')
const pagesDir = path.join(root, 'site/content/docs/api')
let pages: readonly ApiPage[]
let processor: MarkdownRenderer

async function render(slug: string) {
  const page = pages.find((p) => p.slug === slug)
  if (page === undefined) throw new Error(`no page ${slug}`)
  const result = await processor.render(page.markdown, { fileURL: pathToFileURL(path.join(pagesDir, page.file)) })
  return { page, html: result.code, headings: result.metadata.headings }
}

beforeAll(async () => {
  const api = await generateApi({ entryPoints: ['engine/index.ts', 'fixtures/api-package/index.ts'], root, pagesDir })
  pages = api.pages
  processor = await createMarkdownProcessor({ remarkPlugins: [remarkDirective, [remarkDispatcher, { doctest: 'error' }]] })
}, 120_000)

describe('API pages through the Markdown pipeline', () => {
  it('renders a dispatcher page: graph with its sub-model page, node tables with links', async () => {
    const { html } = await render('fixtures/api-package/main-model')
    expect(html).toContain('<flowmark-graph')
    expect(html).toContain('data-fm-path="my_sub"')
    expect(html).toContain('<td><a href="/api/fixtures/api-package/double/"><code>double_x</code></a></td>')
    expect(html).toMatch(/<td><code>w<\/code><\/td>\s*<td>Twice x\.<\/td>/)
    expect(html).not.toContain('::dispatcher')
  })

  it('keeps every table row of an interface with union types at three cells', async () => {
    const { html } = await render('engine/dispatch-options')
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1]?.match(/<t[dh]>/g) ?? []).length)
    expect(rows.length).toBeGreaterThan(3)
    expect(new Set(rows)).toEqual(new Set([3]))
    expect(html).toContain('<code>boolean | "producible"</code>')
  })

  it('links each member of a class to the heading id Astro gives it', async () => {
    const { html, headings } = await render('engine/dispatcher')
    const ids = new Set(headings.map((h) => h.slug))
    const anchors = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1] as string)
    expect(anchors.length).toBeGreaterThan(20)
    for (const a of anchors) expect(ids.has(a), `#${a} is a heading id`).toBe(true)
  })

  it('shows a code example once and hides its runnable copy and the imports', async () => {
    const { html } = await render('fixtures/api-package/accumulator')
    const text = html.replace(/<[^>]+>/g, '')
    expect(text.split('const acc = new Accumulator(1)').length - 1).toBe(1)
    expect(text).not.toContain('import { Accumulator }')
    expect(text).not.toContain('let threw')
  })
})
