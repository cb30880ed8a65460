// The unified adapter: options, doctest modes, vfile messages, the real runner and renderer, Starlight compatibility.
import { readdirSync, readFileSync } from 'node:fs'
import type { Root } from 'mdast'
import rehypeStringify from 'rehype-stringify'
import remarkDirective from 'remark-directive'
import remarkParse from 'remark-parse'
import remarkRehype from 'remark-rehype'
import { unified } from 'unified'
import type { Node, Parent } from 'unist'
import { VFile } from 'vfile'
import { describe, expect, test } from 'vitest'
import { PluginOptionsError } from '../../plugin/core/errors.ts'
import type { SessionReport, SessionRequest } from '../../plugin/core/types.ts'
import { remarkDispatcher, validateOptions, type RemarkDispatcherOptions } from '../../plugin/remark.ts'

const fakeRender = async () => ({ html: '<flowmark-graph></flowmark-graph>', warnings: [] })
const emptyReport = (request: SessionRequest): SessionReport => ({
  file: request.file,
  passed: 0,
  failed: 0,
  skipped: 0,
  diagnostics: [],
  draws: new Map(),
  durationMs: 0,
})

async function run(md: string, options: RemarkDispatcherOptions, path = 'page.md'): Promise<{ file: VFile; html: string; error: unknown }> {
  const file = new VFile({ path, value: md })
  const processor = unified()
    .use(remarkParse)
    .use(remarkDirective)
    .use(remarkDispatcher, options)
    .use(remarkRehype, { allowDangerousHtml: true })
    .use(rehypeStringify, { allowDangerousHtml: true })
  try {
    return { file, html: String(await processor.process(file)), error: undefined }
  } catch (error) {
    return { file, html: '', error }
  }
}

describe('options', () => {
  test('unknown options and wrong types are clear errors', () => {
    expect(() => validateOptions({ doctests: 'warn' })).toThrow(PluginOptionsError)
    expect(() => validateOptions({ doctests: 'warn' })).toThrow(
      'unknown option `doctests`. Valid options: doctest, lint, flags, timeout, runSession, renderPlot, html.',
    )
    expect(() => validateOptions({ doctest: 'fail' })).toThrow("option `doctest` must be 'error' | 'warn' | 'off', got \"fail\"")
    expect(() => validateOptions({ timeout: -1 })).toThrow('option `timeout` must be positive number (ms)')
    expect(() => validateOptions({ flags: { elipsis: true } })).toThrow('option `flags`')
    expect(() => validateOptions([])).toThrow('options must be an object')
    expect(validateOptions(undefined)).toEqual({})
    expect(() =>
      unified()
        .use(remarkParse)
        .use(remarkDispatcher, { bogus: 1 } as RemarkDispatcherOptions)
        .freeze(),
    ).toThrow(PluginOptionsError)
  })
})

describe('doctest modes and messages', () => {
  const failing = (request: SessionRequest): Promise<SessionReport> =>
    Promise.resolve({
      ...emptyReport(request),
      failed: 1,
      diagnostics: [
        {
          severity: 'error',
          file: request.file,
          start: { line: 2, column: 1 },
          message: '`> 1` printed 1, expected 2',
          rule: 'doctest-mismatch',
          expected: '2',
          actual: '1',
          diff: '-2\n+1',
        },
      ],
    })
  const md = '```ts\n> 1\n2\n```\n'

  test("'error': fatal positioned messages, then the transform fails", async () => {
    const { file, error } = await run(md, { runSession: failing, renderPlot: fakeRender })
    expect(error).toBeInstanceOf(Error)
    expect(String((error as Error).message)).toBe('1 Flowmark error in page.md (first at 2:1: `> 1` printed 1, expected 2)')
    const [m] = file.messages
    expect(m).toMatchObject({
      line: 2,
      column: 1,
      ruleId: 'doctest-mismatch',
      source: 'flowmark',
      fatal: true,
      expected: ['2'],
      actual: '1',
      note: '-2\n+1',
    })
  })

  test("'warn': the same message, not fatal; 'off': doctest failures are dropped", async () => {
    const warned = await run(md, { doctest: 'warn', runSession: failing, renderPlot: fakeRender })
    expect(warned.error).toBeUndefined()
    expect(warned.file.messages.map((m) => [m.line, m.ruleId, m.fatal])).toEqual([[2, 'doctest-mismatch', false]])
    const off = await run(md, { doctest: 'off', runSession: failing, renderPlot: fakeRender })
    expect(off.file.messages).toEqual([])
  })

  test('directive errors fail the build in error mode too; lint warnings never do', async () => {
    const bad = await run('::dispatcher{name=dsp colour=red}\n', { runSession: async (r) => emptyReport(r), renderPlot: fakeRender })
    expect(bad.error).toBeDefined()
    expect(bad.file.messages[0]).toMatchObject({ line: 1, column: 23, ruleId: 'directive-attribute', fatal: true })
    const linted = await run(':::dispatcher {name=dsp}\n:::\n', { runSession: async (r) => emptyReport(r), renderPlot: fakeRender })
    expect(linted.error).toBeUndefined()
    expect(linted.file.messages.map((m) => [m.ruleId, m.fatal])).toEqual([['lint-unparsed-directive', false]])
    const quiet = await run(':::dispatcher {name=dsp}\n:::\n', { lint: false, renderPlot: fakeRender })
    expect(quiet.file.messages).toEqual([])
  })

  test('the runner is called once per page with the page flags, and not at all without blocks', async () => {
    const requests: SessionRequest[] = []
    const runSession = async (r: SessionRequest) => {
      requests.push(r)
      return emptyReport(r)
    }
    await run('---\ndoctest: +ELLIPSIS\n---\n\n```ts\n> 1\n1\n```\n\n```ts\n> 2\n2\n```\n', {
      runSession,
      renderPlot: fakeRender,
      flags: { normalizeWhitespace: true },
      timeout: 500,
    })
    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatchObject({ file: 'page.md', flags: { normalizeWhitespace: true, ellipsis: true }, timeout: 500 })
    expect(requests[0]?.blocks.map((b) => b.id)).toEqual(['transcript@5:1', 'transcript@10:1'])
    await run('# No examples\n', { runSession, renderPlot: fakeRender })
    expect(requests).toHaveLength(1)
  })

  test('Astro frontmatter (file.data.astro.frontmatter) sets the page defaults', async () => {
    const requests: SessionRequest[] = []
    const file = new VFile({ path: 'a.md', value: '```ts\n> 1\n1\n```\n', data: { astro: { frontmatter: { doctest: 'skip' } } } })
    await unified()
      .use(remarkParse)
      .use(remarkDirective)
      .use(remarkDispatcher, {
        runSession: async (r) => {
          requests.push(r)
          return emptyReport(r)
        },
        renderPlot: fakeRender,
      })
      .run(unified().use(remarkParse).use(remarkDirective).parse(file), file)
    expect(requests[0]?.flags).toEqual({ skip: true })
  })

  test('a runner that throws becomes a positioned error', async () => {
    const { file } = await run('```ts\n> 1\n1\n```\n', {
      doctest: 'warn',
      runSession: async () => {
        throw new Error('worker died')
      },
      renderPlot: fakeRender,
    })
    expect(file.messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.reason}`)).toEqual([
      "1:1 doctest-session The page's doctest session failed to run: worker died",
    ])
  })

  test('without remark-directive the plugin says what to add', async () => {
    const file = new VFile({ path: 'p.md', value: ':::dispatcher{name=dsp}\n:::\n' })
    const processor = unified().use(remarkParse).use(remarkDispatcher, { renderPlot: fakeRender }).use(remarkRehype).use(rehypeStringify)
    await expect(processor.process(file)).rejects.toThrow('remarkDispatcher needs remark-directive')
  })
})

describe('tree output', () => {
  test('handled directives are claimed (data.hName), setup and hidden fences are gone, others untouched', async () => {
    const md = [
      ':::testsetup',
      '```ts',
      'const a = 1',
      '```',
      ':::',
      '',
      '::dispatcher{name=dsp}',
      '',
      '```ts hide',
      '> a',
      '1',
      '```',
      '',
      ':::note',
      'Someone else’s container.',
      ':::',
      '',
      'Text :abbr[x] directive.',
    ].join('\n')
    const file = new VFile({ path: 'p.md', value: md })
    const processor = unified()
      .use(remarkParse)
      .use(remarkDirective)
      .use(remarkDispatcher, { doctest: 'warn', runSession: async (r) => emptyReport(r), renderPlot: fakeRender })
    const tree = (await processor.run(processor.parse(file), file)) as Root
    const kinds: string[] = []
    const walk = (node: Node): void => {
      const d = node as Node & { name?: string; data?: { hName?: string } }
      if (d.type.endsWith('Directive')) kinds.push(`${d.type}:${d.name}:${d.data?.hName ?? '-'}`)
      if (d.type === 'code') kinds.push('code')
      for (const c of (node as Parent).children ?? []) walk(c)
    }
    walk(tree)
    expect(kinds).toEqual(['containerDirective:dispatcher:figure', 'containerDirective:note:-', 'textDirective:abbr:-'])
  })
})

describe('trees without positions', () => {
  test('every fixture page transforms without positions (ordinal ids match between collect and transform)', async () => {
    const dir = new URL('../../fixtures/', import.meta.url)
    const names = readdirSync(dir).filter((n) => /^(directive|lint)-/.test(n))
    expect(names.length).toBeGreaterThan(5)
    for (const name of names) {
      const md = readFileSync(new URL(`${name}/input.md`, dir), 'utf8')
      const processor = unified()
        .use(remarkParse)
        .use(remarkDirective)
        .use(remarkDispatcher, {
          doctest: 'warn',
          renderPlot: fakeRender,
          runSession: async (r) => ({
            ...emptyReport(r),
            draws: new Map(
              r.blocks
                .filter((b) => b.kind === 'draw')
                .map((b) => [
                  b.id,
                  {
                    id: b.id,
                    plot: { pages: [] },
                    tables: {},
                    title: b.name,
                    description: undefined,
                  },
                ]),
            ),
          }),
        })
      const tree = processor.parse(md)
      const strip = (node: Node): void => {
        delete node.position
        for (const c of (node as Parent).children ?? []) strip(c)
      }
      strip(tree)
      const out = (await processor.run(tree, new VFile({ path: `${name}.md` }))) as Root
      const html = JSON.stringify(out)
      expect(html, name).not.toContain('could not be drawn')
    }
  })
})

describe('with the real runner and renderer', () => {
  test('a page runs, its model is drawn as a <flowmark-graph>, and failures point at their lines', async () => {
    const md = [
      '# Real',
      '',
      ':::dispatcher{name=dsp code index}',
      '```ts',
      "import { Dispatcher } from 'flowmark'",
      "const dsp = new Dispatcher({ name: 'real' })",
      "dsp.addFunction({ id: 'inc', fn: (x: number) => x + 1, inputs: ['x'], outputs: ['y'] })",
      '```',
      ':::',
      '',
      '```ts',
      "> dsp.dispatch({ x: 1 }).get('y')",
      '2',
      "> dsp.dispatch({ x: 2 }).get('y')",
      '4',
      '```',
      '',
    ].join('\n')
    const { file, html } = await run(md, { doctest: 'warn' }, new URL('../../fixtures/page.md', import.meta.url).pathname)
    expect(file.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual(['14:1 doctest-mismatch'])
    expect(html).toContain('<figure class="flowmark-dispatcher" data-flowmark-name="dsp">')
    expect(html).toMatch(/<div class="flowmark-dispatcher__graph"><flowmark-graph[\s>]/)
    expect(html).toContain('<svg')
    expect(html).toMatch(
      /<nav class="flowmark-dispatcher__index" aria-label="Pages of real"><ul><li><a href="#[\w-]+">real<\/a><\/li><\/ul><\/nav>/,
    )
    expect(html).not.toContain('flowmark-dispatcher__error')
  })
})

describe('the caption under a graph', () => {
  const page = new URL('../../fixtures/page.md', import.meta.url).pathname
  const draw = async (attributes: string) => {
    const md = [
      `:::dispatcher{name=dsp${attributes}}`,
      '```ts',
      "import { Dispatcher } from 'flowmark'",
      "const dsp = new Dispatcher({ name: 'pricing' })",
      "dsp.addFunction({ id: 'inc', fn: (x: number) => x + 1, inputs: ['x'], outputs: ['y'] })",
      '```',
      ':::',
      '',
    ].join('\n')
    const { html } = await run(md, {}, page)
    expect(html).toContain('<svg')
    // Every text Graphviz drew: the node labels and the graph's label.
    return [...html.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])
  }

  test("is the model's name by default, not the page kind (which the viewer's badge shows)", async () => {
    const texts = await draw('')
    expect(texts).toContain('pricing')
    expect(texts).not.toContain('dmap')
  })

  test("opt.caption=kind brings back schedula's label; opt.caption=false drops it", async () => {
    const kind = await draw(' opt.caption=kind')
    expect(kind).toContain('dmap')
    expect(kind).not.toContain('pricing')
    const none = await draw(' opt.caption=false')
    expect(none).not.toContain('dmap')
    expect(none).not.toContain('pricing')
    expect(none).toContain('inc')
  })
})

describe('graphs in a default unified pipeline (no allowDangerousHtml)', () => {
  const md = [
    ':::dispatcher{name=dsp}',
    '```ts',
    "import { Dispatcher } from 'flowmark'",
    "const dsp = new Dispatcher({ name: 'plain' })",
    "dsp.addFunction({ id: 'inc', fn: (x: number) => x + 1, inputs: ['x'], outputs: ['y'] })",
    '```',
    ':::',
    '',
  ].join('\n')
  const page = new URL('../../fixtures/page.md', import.meta.url).pathname
  const plain = (options: RemarkDispatcherOptions) =>
    unified().use(remarkParse).use(remarkDirective).use(remarkDispatcher, options).use(remarkRehype).use(rehypeStringify)

  test('the graph is emitted as hast and survives remark-rehype → rehype-stringify', async () => {
    const html = String(await plain({}).process(new VFile({ path: page, value: md })))
    expect(html).toContain('<figure class="flowmark-dispatcher" data-flowmark-name="dsp">')
    expect(html).toMatch(/<div class="flowmark-dispatcher__graph"><flowmark-graph[\s>]/)
    // SVG keeps its namespace-specific attribute casing (viewBox), as an HTML parser builds it.
    expect(html).toMatch(/<svg[^>]* viewBox="/)
    expect(html).toMatch(/<g id="[^"]+" class="node fm-node fm-kind-function"/)
  })

  test("html: 'raw' keeps mdast html nodes (dropped by a default remark-rehype, as before)", async () => {
    const html = String(await plain({ html: 'raw' }).process(new VFile({ path: page, value: md })))
    expect(html).toContain('<figure class="flowmark-dispatcher"')
    expect(html).not.toContain('<svg')
    expect(() => validateOptions({ html: 'dangerous' })).toThrow("option `html` must be 'hast' | 'raw'")
  })
})
