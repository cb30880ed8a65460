// API pages of a package whose doc comments hold `|`, backticks, `$`, `<` and `{`: they build, run and read as written.
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createMarkdownProcessor, type MarkdownRenderer } from '@astrojs/markdown-remark'
import remarkDirective from 'remark-directive'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateApi, pageToMarkdownFile, type ApiPage } from '../../plugin/api/index.ts'
import { remarkDispatcher } from '../../plugin/remark.ts'

const root = path.resolve(import.meta.dirname, '../..')
const pagesDir = path.join(root, 'site/content/docs/api')
let pages: readonly ApiPage[]
let processor: MarkdownRenderer

/** The page rendered by Astro's Markdown processor with Flowmark's plugin (examples run; a failure throws). */
async function render(slug: string): Promise<{ html: string; text: string }> {
  const page = pages.find((p) => p.slug === slug)
  if (page === undefined) throw new Error(`no page ${slug}`)
  const { code } = await processor.render(page.markdown, { fileURL: pathToFileURL(path.join(pagesDir, page.file)) })
  const visible = code.replace(/<flowmark-graph[\s\S]*?<\/flowmark-graph>/g, '').replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
  return { html: code, text: decode(visible.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ') }
}

function decode(html: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', amp: '&', apos: "'" }
  return html.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, e: string) => {
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16))
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)))
    return named[e] ?? whole
  })
}

/** Number of cells of each row of each table. */
function cellCounts(html: string): number[][] {
  return [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((t) =>
    [...(t[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => (r[1]?.match(/<t[dh][ >]/g) ?? []).length),
  )
}

beforeAll(async () => {
  pages = (await generateApi({ entryPoints: ['fixtures/api-hostile/index.ts'], root, pagesDir, cache: false })).pages
  processor = await createMarkdownProcessor({ remarkPlugins: [remarkDirective, [remarkDispatcher, { doctest: 'error' }]] })
}, 120_000)

describe('API pages with hostile doc comments', () => {
  it('keeps prose with pipes, dollars, angle brackets and braces as written, and runs the example', async () => {
    const { text } = await render('fixtures/api-hostile/pick')
    expect(text).toContain(
      'Picks a | b or `c`: pipes | in prose, $HOME and ${x}, a <T> and <b>bold</b> tag, {braces}, stars and underscores stay as written.',
    )
    expect(text).toContain('function pick(choice: "a" | "b" | "|", template: `${string}$${string}`): string | undefined')
    expect(text).toContain('choice "a" | "b" | "|" One of \'a\' | \'b\'; a literal pipe | too.')
    expect(text).toContain('template `${string}$${string}` A ${name} template, with {curly} braces and a $ sign.')
    expect(text).toContain("> pick('a', '${x}') 'a|${x}'")
  })

  it('keeps every table at its column count', async () => {
    for (const slug of [
      'fixtures/api-hostile',
      'fixtures/api-hostile/pick',
      'fixtures/api-hostile/hostile',
      'fixtures/api-hostile/hostile-model',
    ]) {
      const { html } = await render(slug)
      const counts = cellCounts(html)
      expect(counts.length, slug).toBeGreaterThan(0)
      for (const rows of counts) expect(new Set(rows).size, `${slug}: ${JSON.stringify(rows)}`).toBe(1)
    }
    const { text } = await render('fixtures/api-hostile/hostile')
    expect(text).toContain('readonly value? { a: 1 } | "$" A { a: 1 } | $ value: ::directive-like :text and :::fence-like text.')
  })

  it('draws a model whose node ids hold special characters, with its tables', async () => {
    const { html, text } = await render('fixtures/api-hostile/hostile-model')
    expect(html).toContain('<flowmark-graph')
    expect(text).toContain('Dispatcher a|b <c> {d}: Nodes named x|y, $z and <w>.')
    expect(text).toContain('x|y A pipe | in a data node, and a tick.')
    expect(text).toContain('f<$>{} Copies x|y to $z: {braces} <kept>.')
  })

  it('quotes front matter that YAML would misread', () => {
    const pick = pages.find((p) => p.slug === 'fixtures/api-hostile/pick')
    expect(pageToMarkdownFile(pick!).split('\n')[2]).toBe(
      'description: "Picks `a | b` or `` `c` ``: pipes | in prose, $HOME and ${x}, a <T> and <b>bold</b> tag, {braces}, *stars* and _underscores_ stay as written."',
    )
  })
})
