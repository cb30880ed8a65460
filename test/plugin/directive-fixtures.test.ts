// Golden tests of the remark plugin over fixtures/directive-*/ and fixtures/lint-*/: HTML output and messages.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import rehypeStringify from 'rehype-stringify'
import remarkDirective from 'remark-directive'
import remarkParse from 'remark-parse'
import remarkRehype from 'remark-rehype'
import { unified } from 'unified'
import { VFile } from 'vfile'
import { describe, expect, test } from 'vitest'
import type { PlotJSON } from '../../engine/plot/types.ts'
import type { RenderRequestOptions } from '../../plugin/core/output.ts'
import type { RenderedGraph } from '../../plugin/core/types.ts'
import { remarkDispatcher, type RemarkDispatcherOptions } from '../../plugin/remark.ts'
import { prepareGolden } from '../golden.ts'

const root = resolve(import.meta.dirname, '../..')
const fixtures = join(root, 'fixtures')

/**
 * A deterministic stand-in for the graph renderer: it lists what the real plot holds (pages and node labels), so
 * the goldens check what the session drew without depending on the renderer's markup, which its own tests pin.
 */
async function listingRenderer(plot: PlotJSON, options?: RenderRequestOptions): Promise<RenderedGraph> {
  const pages = plot.pages.map(
    (page) => `<li data-path="${page.path}">${page.title} (${page.kind}): ${page.nodes.map((n) => n.label).join(', ')}</li>`,
  )
  const id = options?.id ? ` id="${options.id}"` : ''
  return { html: `<flowmark-graph${id} data-title="${options?.title ?? ''}"><ul>${pages.join('')}</ul></flowmark-graph>`, warnings: [] }
}

/** Runs a fixture page through remark-parse → remark-directive → remarkDispatcher → remark-rehype → rehype-stringify. */
async function runFixture(path: string, options: RemarkDispatcherOptions = {}): Promise<{ html: string; messages: string; file: VFile }> {
  const file = new VFile({ path, value: readFileSync(path, 'utf8') })
  const processor = unified()
    .use(remarkParse)
    .use(remarkDirective)
    .use(remarkDispatcher, { doctest: 'warn', renderPlot: listingRenderer, ...options })
    .use(remarkRehype, { allowDangerousHtml: true })
    .use(rehypeStringify, { allowDangerousHtml: true })
  const html = String(await processor.process(file))
  // Stack lines (`    at page.md:28:3`) are the doctest runner's detail, pinned by its own tests.
  const messages = file.messages
    .map((m) => `${m.line ?? 0}:${m.column ?? 0}: ${m.reason}`.replaceAll(root, '<root>').replace(/\n\s+at .*/g, ''))
    .join('\n')
  return { html: `${html.replaceAll(root, '<root>').trimEnd()}\n`, messages: messages ? `${messages}\n` : '', file }
}

/** Compares `actual` with the golden file, writing it with `UPDATE=1` or when missing outside CI; keeps a copy in `__actual__/`. */
function golden(dir: string, name: string, actual: string): void {
  const actualDir = join(dir, '__actual__')
  mkdirSync(actualDir, { recursive: true })
  writeFileSync(join(actualDir, name), actual)
  const path = join(dir, name)
  prepareGolden(path, actual)
  expect(actual).toBe(readFileSync(path, 'utf8'))
}

const cases = readdirSync(fixtures, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('.') && /^(directive|lint)-/.test(d.name))
  .map((d) => d.name)
  .sort()

describe('remark plugin fixtures', () => {
  test('there are fixtures', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10)
  })
  for (const name of cases) {
    test(name, async () => {
      const dir = join(fixtures, name)
      const { html, messages } = await runFixture(join(dir, 'input.md'))
      golden(dir, 'output.html', html)
      golden(dir, 'messages.txt', messages)
    })
  }
})
