// Unit tests of the Astro integration's parts: options, processor detection and adapter installation, reporting,
// line offsets, local imports, viewer asset naming, and the hooks' wiring on hand-made Astro configs.
import { describe, it, expect } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import remarkDirective from 'remark-directive'
import flowmark, {
  starlightFlowmark,
  FlowmarkOptionsError,
  UnsupportedProcessorError,
  detectProcessor,
  DoctestBuildError,
} from '../../plugin/astro/index.ts'
import { resolveOptions } from '../../plugin/astro/options.ts'
import { installAdapters, dedupeRemarkDirective, remarkDirectiveIndexes } from '../../plugin/astro/processor.ts'
import { formatDiagnostic, DiagnosticCollector, PageDoctestError } from '../../plugin/astro/report.ts'
import { lineOffset, mayHaveExamples, mdxSafe } from '../../plugin/astro/page.ts'
import { localImports } from '../../plugin/astro/state.ts'
import { assetTags, assetUrl, viewerAssets } from '../../plugin/astro/assets.ts'
import { dataStorePaths, filesDigest } from '../../plugin/astro/cache.ts'
import type { Diagnostic } from '../../plugin/core/types.ts'

const diag = (file: string, line: number, rule = 'doctest-mismatch', severity: Diagnostic['severity'] = 'error'): Diagnostic => ({
  severity,
  file,
  start: { line, column: 1 },
  message: `failed at ${line}`,
  rule,
})

describe('options', () => {
  it('fills in defaults', () => {
    expect(resolveOptions(undefined)).toEqual({
      doctest: 'error',
      timeout: 10_000,
      plot: {},
      cacheDir: 'node_modules/.cache/flowmark',
      clearContentCache: false,
      watch: [],
      api: undefined,
    })
  })
  it('rejects unknown keys, bad modes and bad timeouts with the option named', () => {
    expect(() => resolveOptions({ doctests: 'warn' })).toThrow(
      /invalid option `doctests`: unknown option; the known options are doctest, timeout/,
    )
    expect(() => resolveOptions({ doctest: 'fail' })).toThrow(FlowmarkOptionsError)
    expect(() => resolveOptions({ doctest: 'fail' })).toThrow(/expected one of 'error', 'warn', 'off', got "fail"/)
    expect(() => resolveOptions({ timeout: -1 })).toThrow(/`timeout`: expected a positive number of milliseconds, got number -1/)
    expect(() => resolveOptions({ plot: [] })).toThrow(/`plot`: expected an object of plot options, got an array/)
    expect(() => resolveOptions({ watch: [1] })).toThrow(/`watch`/)
    expect(() => resolveOptions('x')).toThrow(/expected an object/)
  })
  it('flowmark() and starlightFlowmark() validate at config time', () => {
    expect(() => flowmark({ doctest: 'loud' as never })).toThrow(FlowmarkOptionsError)
    expect(() => starlightFlowmark({ timeout: 0 })).toThrow(FlowmarkOptionsError)
    expect(starlightFlowmark().name).toBe('flowmark')
  })
})

describe('processor detection', () => {
  it('recognises Sätteri and unified by shape, and refuses anything else by name', () => {
    expect(detectProcessor({ name: 'satteri', options: { mdastPlugins: [] } }).kind).toBe('satteri')
    expect(detectProcessor({ name: 'unified', options: { remarkPlugins: [] } }).kind).toBe('unified')
    expect(() => detectProcessor({ name: 'markdown-it', options: {} })).toThrow(UnsupportedProcessorError)
    expect(() => detectProcessor({ name: 'markdown-it', options: {} })).toThrow(
      /\("markdown-it"\) is not supported.*satteri\(\).*unified\(\)/s,
    )
    expect(() => detectProcessor(undefined)).toThrow(/\("\(none\)"\)/)
    // Same name, wrong shape: not trusted.
    expect(() => detectProcessor({ name: 'satteri', options: {} })).toThrow(UnsupportedProcessorError)
  })

  it('Sätteri: switches directives on and adds the plugin factory', () => {
    const options = { mdastPlugins: ['other'], hastPlugins: [], features: { gfm: true } }
    const factory = (): null => null
    installAdapters(detectProcessor({ name: 'satteri', options }), { remark: [() => undefined, {}], remarkDirective, satteri: factory })
    expect(options.features).toEqual({ gfm: true, directive: true })
    expect(options.mdastPlugins).toEqual(['other', factory])
  })

  it('unified: adds remark-directive only when missing, and drops ours when Starlight adds its own later', () => {
    const plugin = (): undefined => undefined
    const bare = { remarkPlugins: [] as unknown[], rehypePlugins: [] }
    const adapters = { remark: [plugin, { cacheKey: 'k' }] as const, remarkDirective, satteri: null }
    installAdapters(detectProcessor({ name: 'unified', options: bare }), adapters)
    expect(bare.remarkPlugins).toEqual([remarkDirective, [plugin, { cacheKey: 'k' }]])

    const withDirective = { remarkPlugins: [[remarkDirective, {}]] as unknown[] }
    installAdapters(detectProcessor({ name: 'unified', options: withDirective }), adapters)
    expect(remarkDirectiveIndexes(withDirective.remarkPlugins, remarkDirective)).toEqual([0])

    // Ours first, Starlight's copy (another function named remarkDirective) pushed after: ours is removed.
    const starlightCopy = function remarkDirective(): void {}
    const later = { remarkPlugins: [] as unknown[] }
    const detected = detectProcessor({ name: 'unified', options: later })
    installAdapters(detected, adapters)
    later.remarkPlugins.push(starlightCopy)
    dedupeRemarkDirective(detected, adapters)
    expect(later.remarkPlugins).toEqual([[plugin, { cacheKey: 'k' }], starlightCopy])
  })

  it('unified: refuses to run next to a hand-added remarkDispatcher (examples would run twice)', async () => {
    const { remarkDispatcher } = await import('../../plugin/remark.ts')
    const options = { remarkPlugins: [[remarkDispatcher, {}]] as unknown[] }
    expect(() =>
      installAdapters(detectProcessor({ name: 'unified', options }), { remark: [() => undefined, {}], remarkDirective, satteri: null }),
    ).toThrow(/remarkDispatcher.*already in `unified\(\{ remarkPlugins \}\)`.*Remove remarkDispatcher/s)
  })

  it('the integration installs itself into a hand-made config and fails clearly for another processor', async () => {
    const integration = flowmark()
    const setup = integration.hooks['astro:config:setup'] as (p: unknown) => Promise<void>
    const root = new URL(`file://${mkdtempSync(join(tmpdir(), 'flowmark-astro-'))}/`)
    const params = (processor: unknown) => ({
      config: { root, srcDir: new URL('src/', root), cacheDir: new URL('node_modules/.astro/', root), base: '/', markdown: { processor } },
      command: 'sync',
      isRestart: false,
      logger: { info() {}, warn() {}, error() {}, debug() {} },
      createCodegenDir: () => new URL('.astro/integrations/flowmark/', root),
    })
    const satteri = {
      name: 'satteri',
      options: { mdastPlugins: [] as unknown[], hastPlugins: [], features: {} as Record<string, unknown> },
    }
    await setup(params(satteri))
    expect(satteri.options.mdastPlugins).toHaveLength(1)
    expect(satteri.options.features['directive']).toBe(true)
    // The cache key sits where Astro's content-store digest sees it.
    expect(satteri.options).toHaveProperty('flowmarkCacheKey', expect.stringMatching(/^[0-9a-f]{16}$/))
    await expect(flowmark().hooks['astro:config:setup']!(params({ name: 'custom', options: {} }) as never)).rejects.toThrow(
      UnsupportedProcessorError,
    )
  })
})

describe('reporting', () => {
  it('formats file:line:column relative to the root, with the diff indented', () => {
    const d: Diagnostic = { ...diag('/site/docs/a.md', 12), diff: '--- expected\n+++ actual\n-1\n+2\n' }
    expect(formatDiagnostic(d, '/site')).toBe(
      'docs/a.md:12:1 doctest-mismatch: failed at 12\n    --- expected\n    +++ actual\n    -1\n    +2',
    )
  })
  it('collects per page (a re-render replaces), sorted by file and line; the build error lists them all', () => {
    const c = new DiagnosticCollector()
    c.set('/r/b.md', [diag('/r/b.md', 9), diag('/r/b.md', 3), diag('/r/b.md', 5, 'lint-x', 'warning')])
    c.set('/r/a.md', [diag('/r/a.md', 40)])
    c.set('/r/c.md', [diag('/r/c.md', 1)])
    c.set('/r/c.md', [])
    expect(c.list('error').map((d) => `${d.file}:${d.start.line}`)).toEqual(['/r/a.md:40', '/r/b.md:3', '/r/b.md:9'])
    const e = new DoctestBuildError(c.list('error'), '/r')
    expect(e.message).toMatch(/^flowmark: 3 examples failed in 2 pages:\na\.md:40:1 .*\nb\.md:3:1 .*\nb\.md:9:1 /)
  })
  it("the dev error carries Astro's loc/title/hint", () => {
    const e = new PageDoctestError([diag('/r/a.md', 7), diag('/r/a.md', 9)], '/r')
    expect(e.loc).toEqual({ file: '/r/a.md', line: 7, column: 1 })
    expect(e.title).toBe('2 examples failed')
    expect(e.message.split('\n')).toHaveLength(2)
  })
})

describe('page helpers', () => {
  it('line offset: 0 when the frontmatter was kept as blank space, its lines when the loader cut it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowmark-offset-'))
    const file = join(dir, 'p.md')
    const full = '---\ntitle: T\n---\n\nText\n\n```ts\n> 1\n1\n```\n'
    writeFileSync(file, full)
    expect(lineOffset(file, full)).toBe(0)
    expect(lineOffset(file, full.replace(/^---\ntitle: T\n---/, '   \n        \n   '))).toBe(0)
    expect(lineOffset(file, 'Text\n\n```ts\n> 1\n1\n```')).toBe(4)
    expect(lineOffset(join(dir, 'missing.md'), 'x')).toBe(0)
  })
  it('cheap pre-check: directives or fences in a session language', () => {
    expect(mayHaveExamples('# Title\n\nJust prose.')).toBe(false)
    expect(mayHaveExamples('```python\n>>> 1\n```')).toBe(false)
    expect(mayHaveExamples('```ts\n> 1 + 1\n2\n```')).toBe(true)
    expect(mayHaveExamples('~~~ JavaScript setup\nconst x = 1\n~~~')).toBe(true)
    expect(mayHaveExamples(':::dispatcher{name=m}\n:::')).toBe(true)
  })
  it('MDX: html nodes become <Fragment set:html>, other nodes are shared', () => {
    const code = { type: 'code', value: 'x' }
    const out = mdxSafe({ type: 'paragraph', children: [code, { type: 'html', value: '<b>x</b>' }] } as never) as unknown as {
      children: unknown[]
    }
    expect(out.children[0]).toBe(code)
    expect(out.children[1]).toEqual({
      type: 'mdxJsxFlowElement',
      name: 'Fragment',
      attributes: [{ type: 'mdxJsxAttribute', name: 'set:html', value: '<b>x</b>' }],
      children: [],
    })
  })
  it('local imports of the examples, resolved against the page', () => {
    const deps = localImports('/site/docs/page.md', [
      '> import { a } from \'../models/a.ts\'\n> const b = await import("./b.js")',
      "import * as fs from 'node:fs'\nimport { x }\n  from '../../x.ts'",
      "> import { y } from 'flowmark'",
    ])
    expect([...deps].sort()).toEqual(['/site/docs/b.js', '/site/models/a.ts', '/x.ts'])
  })
})

describe('viewer assets and cache', () => {
  it('hashed names change with the content; URLs honour base', () => {
    const a = viewerAssets('js1', 'css1')
    const b = viewerAssets('js2', 'css1')
    expect(a.jsName).toMatch(/^viewer\.[0-9a-f]{10}\.js$/)
    expect(a.jsName).not.toBe(b.jsName)
    expect(a.cssName).toBe(b.cssName)
    expect(assetUrl('/', 'x.js')).toBe('/_flowmark/x.js')
    expect(assetUrl('/docs', 'x.js')).toBe('/docs/_flowmark/x.js')
    expect(assetTags('/docs/', a)).toBe(
      `<link rel="stylesheet" href="/docs/_flowmark/${a.cssName}" data-flowmark-viewer><script type="module" src="/docs/_flowmark/${a.jsName}" data-flowmark-viewer></script>`,
    )
  })
  it('data store paths of build and dev; digests follow file contents', () => {
    const root = new URL('file:///p/')
    expect(dataStorePaths({ root, cacheDir: new URL('file:///p/node_modules/.astro/') }, false).map((u) => u.pathname)).toEqual([
      '/p/node_modules/.astro/data-store.json',
      '/p/node_modules/.astro/data-store/',
    ])
    expect(dataStorePaths({ root, cacheDir: root }, true)[0]?.pathname).toBe('/p/.astro/data-store.json')
    const dir = mkdtempSync(join(tmpdir(), 'flowmark-digest-'))
    const f = join(dir, 'm.ts')
    writeFileSync(f, 'a')
    const one = filesDigest([f], 's')
    writeFileSync(f, 'b')
    expect(filesDigest([f], 's')).not.toBe(one)
    expect(filesDigest([f], 't')).not.toBe(filesDigest([f], 's'))
  })
})
