// Unit tests of the directive core: attributes, session collection, frontmatter defaults and the output markup.
import type { Root } from 'mdast'
import type { Parent } from 'unist'
import type { ContainerDirective, LeafDirective } from 'mdast-util-directive'
import remarkDirective from 'remark-directive'
import remarkParse from 'remark-parse'
import { unified } from 'unified'
import { describe, expect, test } from 'vitest'
import type { PlotJSON } from '../../engine/plot/types.ts'
import { collectPage } from '../../plugin/core/collect.ts'
import { dottedOptions, parseDispatcher, type BlockDirective } from '../../plugin/core/directive.ts'
import { parseFenceMeta, isTranscript, codeLang } from '../../plugin/core/fence.ts'
import { pageDefaults, splitFrontmatter } from '../../plugin/core/frontmatter.ts'
import { readOpeningLine } from '../../plugin/core/opening.ts'
import {
  pageIndexHtml,
  perPageRenderer,
  possessive,
  readerMessage,
  tableHtml,
  transformDirective,
  withMaxHeight,
} from '../../plugin/core/output.ts'
import { pageSession, treeSession } from '../../plugin/core/page.ts'
import type { DrawResult, SessionReport } from '../../plugin/core/types.ts'

const parse = (md: string): Root => unified().use(remarkParse).use(remarkDirective).parse(md)
const first = (md: string): BlockDirective => parse(md).children[0] as BlockDirective
const file = (source: string) => ({ path: 'page.md', source })

describe('dispatcher attributes', () => {
  test('every attribute is read into the spec', () => {
    const md = `::dispatcher[Cap]{name=dsp workflow depth=2 engine=fdp index height=300 width=50% description data dsp opt='{"hideTimestamps": true}' #g .a}`
    const { spec, diagnostics } = parseDispatcher(first(md), file(md))
    expect(diagnostics).toEqual([])
    expect(spec).toMatchObject({
      form: 'leaf',
      name: 'dsp',
      from: undefined,
      code: false,
      index: true,
      plotOptions: { hideTimestamps: true, workflow: true, depth: 2, engine: 'fdp' },
      tables: ['data', 'dsp'],
      description: true,
      height: 300,
      width: '50%',
      id: 'g',
      className: 'a',
    })
    expect(spec?.label?.[0]).toMatchObject({ type: 'text', value: 'Cap' })
  })

  test('flags accept true/false, depth=-1 means all levels, description may be text', () => {
    const md = `::dispatcher{name=dsp workflow=false code=true depth=-1 description="Own words"}`
    const { spec } = parseDispatcher(first(md), file(md))
    expect(spec?.plotOptions).toEqual({ workflow: false })
    expect(spec?.description).toBe('Own words')
    expect(spec?.code).toBe(true)
  })

  test('unknown attributes name the attribute, list the valid ones and point at its column', () => {
    const md = `:::dispatcher{name=dsp colour=red}\n:::`
    const { spec, diagnostics } = parseDispatcher(first(md), file(md))
    expect(spec).toBeUndefined()
    expect(diagnostics).toHaveLength(1)
    expect(diagnostics[0]).toMatchObject({ severity: 'error', rule: 'directive-attribute', start: { line: 1, column: 24 } })
    expect(diagnostics[0]?.message).toContain('`colour`')
    expect(diagnostics[0]?.message).toContain(
      'Valid attributes: name, from, code, workflow, depth, engine, index, height, width, description, data, func, dsp, opt, opt.<option>, id, class',
    )
  })

  test('attribute positions inside block quotes and list items', () => {
    const md = '- item\n\n  > ::dispatcher{name=dsp colour=red}'
    const node = ((parse(md).children[0] as Parent).children[0] as Parent).children[1] as Parent
    const leaf = node.children[0] as BlockDirective
    expect(parseDispatcher(leaf, file(md)).diagnostics[0]?.start).toEqual({ line: 3, column: md.split('\n')[2]!.indexOf('colour') + 1 })
  })

  test('without the source the error points at the directive', () => {
    const md = `\n\n:::dispatcher{name=dsp colour=red}\n:::`
    const { diagnostics } = parseDispatcher(parse(md).children[0] as BlockDirective, { path: 'p.md' })
    expect(diagnostics[0]?.start).toEqual({ line: 3, column: 1 })
  })

  test('bad opt JSON points into the value at the JSON error position', () => {
    const md = `::dispatcher{name=dsp opt='{"a": 1,}'}`
    const { spec, diagnostics } = parseDispatcher(first(md), file(md))
    expect(spec).toBeUndefined()
    const column = md.indexOf(`{"a"`) + 1 + 8 // the `}` after the trailing comma
    expect(diagnostics[0]).toMatchObject({ rule: 'directive-opt', start: { line: 1, column } })
    expect(diagnostics[0]?.message).toMatch(/not valid JSON/)
  })

  test('opt.<option> attributes set single options, nested by dots, typed as JSON when they parse', () => {
    const md = `::dispatcher{name=dsp opt='{"graph": {"rankdir": "LR"}}' opt.ghostUnreached opt.graph.ratio=1 opt.graph.label="My graph" opt.rows.data='["value"]' opt.maxLines=3}`
    const { spec, diagnostics } = parseDispatcher(first(md), file(md))
    expect(diagnostics).toEqual([])
    expect(spec?.plotOptions).toEqual({
      graph: { rankdir: 'LR', ratio: 1, label: 'My graph' },
      ghostUnreached: true,
      rows: { data: ['value'] },
      maxLines: 3,
    })
    const bad = `::dispatcher{name=dsp opt.graphAttr.ratio=1}`
    expect(parseDispatcher(first(bad), file(bad)).diagnostics.map((d) => [d.rule, d.start.column])).toEqual([['directive-opt', 23]])
    expect(dottedOptions({ graph: { ratio: '1', label: 'A b' }, ghostUnreached: true, rows: { data: ['value'] } })).toEqual([
      ['opt.graph.ratio', '"1"'],
      ['opt.graph.label', 'A b'],
      ['opt.ghostUnreached', 'true'],
      ['opt.rows.data', '["value"]'],
    ])
  })

  test('unknown plot options in opt are errors at the key', () => {
    const md = `::dispatcher{name=dsp opt='{"depth": 1, "graphAttr": {}}'}`
    const { diagnostics } = parseDispatcher(first(md), file(md))
    expect(diagnostics.map((d) => [d.rule, d.start.column])).toEqual([['directive-opt', md.indexOf('"graphAttr"') + 1]])
    expect(diagnostics[0]?.message).toMatch(
      /^Unknown plot option `graphAttr` in `opt` of `::dispatcher`\. Plot options: workflow, depth, engine, caption, graph,/,
    )
  })

  test('missing name, bad name, from on a container, code on a leaf', () => {
    const errors = (md: string) => parseDispatcher(first(md), file(md)).diagnostics.map((d) => `${d.severity}:${d.rule}`)
    expect(errors('::dispatcher{code}')).toEqual(['error:directive-name', 'warning:directive-attribute'])
    expect(errors('::dispatcher{name="a b"}')).toEqual(['error:directive-attribute'])
    expect(errors(':::dispatcher{name=x from="./m.ts"}\n:::')).toEqual(['error:directive-attribute'])
    expect(parseDispatcher(first('::dispatcher{name=models.fuel}'), file('')).spec?.name).toBe('models.fuel')
  })
})

describe('fences and openings', () => {
  test('languages, transcripts and meta flags', () => {
    expect([codeLang('TypeScript'), codeLang('mjs'), codeLang('python'), codeLang(null)]).toEqual(['ts', 'js', undefined, undefined])
    expect(isTranscript('\n> 1\n1')).toBe(true)
    expect(isTranscript('const a = 1\n> 1')).toBe(false)
    const meta = parseFenceMeta('title="a.ts" +ELLIPSIS -normalize_whitespace skip timeout=500 hide +BOGUS')
    expect(meta).toMatchObject({
      flags: { ellipsis: true, normalizeWhitespace: false, skip: true },
      timeout: 500,
      hide: true,
      unknown: ['+BOGUS'],
      rest: ['title="a.ts"'],
      role: undefined,
    })
    expect(parseFenceMeta('setup').role).toBe('setup')
  })

  test('opening lines are read loosely, with positions', () => {
    const open = readOpeningLine(`:::dispatcher[a [b]] {x=1 y="two words" z='{"k":1}' #i .c bare}`)
    expect(open).toMatchObject({ colons: ':::', name: 'dispatcher', spaceBeforeBrace: true, braceClosed: true })
    expect(open?.attributes.map((a) => [a.name, a.value, a.quote])).toEqual([
      ['x', '1', null],
      ['y', 'two words', '"'],
      ['z', '{"k":1}', "'"],
      ['id', 'i', null],
      ['class', 'c', null],
      ['bare', undefined, null],
    ])
    expect(readOpeningLine('text')).toBeUndefined()
  })
})

describe('page sessions', () => {
  const page = [
    '---',
    'title: T',
    'doctest: +ELLIPSIS timeout=3000',
    '---',
    '',
    '```ts',
    '> 1 + 1',
    '2',
    '```',
    '',
    '```ts',
    'const notRun = 1',
    '```',
    '',
    ':::testsetup',
    '```js',
    'globalThis.a = 1',
    '```',
    ':::',
    '',
    ':::dispatcher{name=dsp code}',
    'Prose.',
    '',
    '```ts',
    'const dsp = 1',
    '```',
    '',
    '```ts +SKIP',
    '> dsp',
    '1',
    '```',
    ':::',
    '',
    '- item',
    '',
    '  ```ts',
    '  > 3',
    '  3',
    '  ```',
    '',
    '::dispatcher{from="./m.ts" name=model engine=dot}',
    '',
    '```ts setup',
    'const hidden = 1',
    '```',
    '',
    ':::testcleanup',
    '```ts',
    'delete globalThis.a',
    '```',
    ':::',
  ].join('\n')

  test('blocks come in document order with kinds, ids, content starts and flags', () => {
    const { request, diagnostics } = pageSession(page, 'p.md')
    expect(diagnostics).toEqual([])
    expect(request.flags).toEqual({ ellipsis: true })
    expect(request.timeout).toBe(3000)
    expect(request.blocks.map((b) => `${b.kind} ${b.id} ${b.start.line}:${b.start.column}`)).toEqual([
      'transcript transcript@6:1 7:1',
      'setup setup@16:1 17:1',
      'code code@24:1 25:1',
      'transcript transcript@28:1 29:1',
      'draw draw@21:1 21:1',
      'transcript transcript@36:3 37:3',
      'draw draw@41:1 41:1',
      'setup setup@43:1 44:1',
      'cleanup cleanup@48:1 49:1',
    ])
    const draw = request.blocks.find((b) => b.id === 'draw@41:1')
    expect(draw).toEqual({
      kind: 'draw',
      id: 'draw@41:1',
      name: 'model',
      from: './m.ts',
      start: { line: 41, column: 1 },
      plotOptions: { engine: 'dot' },
      tables: [],
    })
    expect(request.blocks[3]).toMatchObject({ flags: { skip: true }, code: '> dsp\n1' })
    expect(request.blocks[5]).toMatchObject({ code: '> 3\n3' })
  })

  test('the tree form reports hidden fences and directive sites', () => {
    const split = splitFrontmatter(page)
    const { plan } = treeSession(parse(split.body), { path: 'p.md', source: split.body })
    expect(plan.directives.map((d) => `${d.kind}:${d.drawId ?? '-'}`)).toEqual([
      'testsetup:-',
      'dispatcher:draw@21:1',
      'dispatcher:draw@41:1',
      'testcleanup:-',
    ])
    expect(plan.hiddenFences.map((c) => c.position?.start.line)).toEqual([43])
  })

  test('a plain fence marked hide runs in place and is hidden; other plain fences do not run', () => {
    const md = '```ts hide\nconst secret = 1\n```\n\n```ts\nconst shown = 1\n```\n\n```ts\n> secret\n1\n```'
    const { request, plan } = treeSession(parse(md), { path: 'p.md', source: md })
    expect(request.blocks.map((b) => `${b.kind}@${b.start.line}`)).toEqual(['code@2', 'transcript@10'])
    expect(plan.hiddenFences.map((c) => c.position?.start.line)).toEqual([1])
  })

  test('nesting, transcripts in setup and unknown fence flags are reported', () => {
    const md = [
      ':::dispatcher{name=a}',
      '::dispatcher{name=b}',
      ':::',
      '',
      ':::testsetup',
      '```ts',
      '> 1',
      '1',
      '```',
      ':::',
      '',
      '```ts +FAST',
      '> 1',
      '1',
      '```',
    ].join('\n')
    const { diagnostics, request } = pageSession(md, 'p.md')
    expect(diagnostics.map((d) => `${d.start.line}:${d.rule}`)).toEqual(['2:directive-nesting', '6:directive-setup', '12:fence-flag'])
    expect(request.blocks.map((b) => b.kind)).toEqual(['draw', 'transcript'])
  })

  test('trees without positions get ordinal ids', () => {
    const root = parse('::dispatcher{name=a}\n\n```ts\n> 1\n1\n```')
    const strip = (node: { position?: unknown; children?: unknown[] }): void => {
      delete node.position
      for (const c of node.children ?? []) strip(c as never)
    }
    strip(root)
    expect(collectPage(root, { path: 'p.md' }).request.blocks.map((b) => b.id)).toEqual(['draw#0', 'transcript#0'])
  })
})

describe('frontmatter', () => {
  test('split keeps line numbers and reads doctest as scalar or mapping', () => {
    const md = '---\ntitle: "A: b"\ndoctest:\n  ellipsis: true\n  timeout: 200\n---\n# H\n'
    const split = splitFrontmatter(md)
    expect(split.body.split('\n').length).toBe(md.split('\n').length)
    expect(split.body.endsWith('# H\n')).toBe(true)
    expect(split.frontmatter).toEqual({ title: 'A: b', doctest: { ellipsis: true, timeout: 200 } })
    expect(split.doctestLine).toBe(3)
    expect(pageDefaults(split.frontmatter, { path: 'p' })).toEqual({ flags: { ellipsis: true }, timeout: 200, diagnostics: [] })
  })

  test('skip forms and unknown keys', () => {
    expect(pageDefaults({ doctest: false }, { path: 'p' }).flags).toEqual({ skip: true })
    expect(pageDefaults({ doctest: 'off' }, { path: 'p' }).flags).toEqual({ skip: true })
    const bad = pageDefaults({ doctest: { fast: true } }, { path: 'p' }, 4)
    expect(bad.diagnostics[0]).toMatchObject({ rule: 'frontmatter-doctest', start: { line: 4, column: 1 } })
  })
})

describe('output markup', () => {
  const plot: PlotJSON = {
    pages: [{ path: '', title: 'demo', kind: 'dmap', parent: undefined, dot: 'digraph {}', engine: 'dot', nodes: [] }],
  }
  const draw = (id: string, extra: Partial<DrawResult> = {}): DrawResult => ({
    id,
    plot,
    title: 'demo',
    description: 'The demo model.',
    tables: {
      data: [
        { id: 'a', description: 'An <input>.', href: '/api/a/' },
        { id: 'b', description: 'Another.' },
      ],
    },
    ...extra,
  })
  const report = (draws: DrawResult[], diagnostics: SessionReport['diagnostics'] = []): SessionReport => ({
    file: 'page.md',
    passed: 0,
    failed: 0,
    skipped: 0,
    diagnostics,
    draws: new Map(draws.map((d) => [d.id, d])),
    durationMs: 1,
  })
  const renderPlot = async () => ({ html: '<flowmark-graph></flowmark-graph>', warnings: ['engine fdp failed, used dot'] })

  test('a claimed figure with shown code, graph, caption, description and linked table rows', async () => {
    const md =
      ':::dispatcher[Caption]{name=dsp code description data}\nProse.\n\n```ts\nconst dsp = 1\n```\n\n```ts hide\nconst secret = 1\n```\n:::'
    const node = first(md) as ContainerDirective
    const out = await transformDirective(node, { file: file(md), report: report([draw('draw@1:1')]), renderPlot })
    expect(out.kind).toBe('replace')
    if (out.kind !== 'replace') return
    expect(out.node.data).toEqual({ hName: 'figure', hProperties: { className: ['flowmark-dispatcher'], dataFlowmarkName: 'dsp' } })
    expect(out.node.children.map((c) => c.type)).toEqual(['paragraph', 'code', 'html', 'paragraph', 'html'])
    expect(out.parts.graphHtml).toBe('<div class="flowmark-dispatcher__graph"><flowmark-graph></flowmark-graph></div>')
    expect(out.parts.aboutHtml).toContain('<p class="flowmark-dispatcher__description">The demo model.</p>')
    expect(out.parts.aboutHtml).toContain('<tr><td><a href="/api/a/"><code>a</code></a></td><td>An &lt;input&gt;.</td></tr>')
    expect(out.diagnostics).toEqual([
      {
        severity: 'warning',
        file: 'page.md',
        start: { line: 1, column: 1 },
        message: 'Drawing `dsp`: engine fdp failed, used dot',
        rule: 'render-warning',
      },
    ])
  })

  test('a missing draw gives an error note and, without a related diagnostic, an error', async () => {
    const md = '::dispatcher{name=dsp}'
    const out = await transformDirective(first(md), { file: file(md), report: report([]), renderPlot })
    expect(out.kind === 'replace' && out.parts.graphHtml).toContain('flowmark-dispatcher__error')
    expect(out.diagnostics.map((d) => d.rule)).toEqual(['directive-draw'])
    const related = await transformDirective(first(md), {
      file: file(md),
      renderPlot,
      report: report(
        [],
        [{ severity: 'error', file: 'page.md', start: { line: 1, column: 1 }, message: 'dsp is not defined', rule: 'doctest-draw' }],
      ),
    })
    expect(related.diagnostics).toEqual([])
    expect(related.kind === 'replace' && related.parts.graphHtml).toContain('dsp is not defined')
  })

  test('renderer failures are positioned errors; setup blocks are removed', async () => {
    const md = '\n::dispatcher{name=dsp}'
    const node = parse(md).children[0] as LeafDirective
    const out = await transformDirective(node, {
      file: file(md),
      report: report([draw('draw@2:1')]),
      renderPlot: async () => {
        throw new Error('layout exploded')
      },
    })
    expect(out.diagnostics).toMatchObject([
      { rule: 'render-error', start: { line: 2, column: 1 }, message: 'Rendering the graph of `dsp` failed: layout exploded' },
    ])
    expect((await transformDirective(first(':::testsetup\n:::'), { file: file(''), report: undefined, renderPlot })).kind).toBe('remove')
  })

  test('an invalid directive shows its code and its errors', async () => {
    const md = ':::dispatcher{name=dsp bogus}\n```ts\nconst dsp = 1\n```\n:::'
    const out = await transformDirective(first(md), { file: file(md), report: report([]), renderPlot })
    expect(out.kind === 'replace' && out.node.children.map((c) => c.type)).toEqual(['code', 'html'])
    expect(out.kind === 'replace' && out.parts.graphHtml).toContain('Unknown attribute <code>bogus</code>')
  })

  test('height reaches the viewer as data-fm-height; reader messages lose paths and code frames', () => {
    expect(withMaxHeight('<flowmark-graph id="g" data-fm-height="9"><svg></svg></flowmark-graph>', 320)).toBe(
      '<flowmark-graph id="g" data-fm-height="320"><svg></svg></flowmark-graph>',
    )
    expect(
      parseDispatcher(first('::dispatcher{name=d height=60vh}'), file('::dispatcher{name=d height=60vh}')).diagnostics[0]?.message,
    ).toContain('maximum height in pixels')
    expect(readerMessage('Cannot draw `x`: /abs/dir/page.md:1\nx\n^\n\nReferenceError: x is not defined.', '/abs/dir/page.md')).toBe(
      'Cannot draw `x`: page.md:1\nReferenceError: x is not defined.',
    )
  })

  test("index: nested pages linked to the sections named by the renderer's JSON index", () => {
    const pages: PlotJSON['pages'] = [
      { path: '', title: 'top & co', kind: 'dmap', parent: undefined, dot: '', engine: 'dot', nodes: [] },
      { path: 'S', title: 'S', kind: 'dmap', parent: '', dot: '', engine: 'dot', nodes: [] },
      { path: 'S/T', title: 'T', kind: 'dmap', parent: 'S', dot: '', engine: 'dot', nodes: [] },
      { path: 'U', title: 'U', kind: 'dmap', parent: '', dot: '', engine: 'dot', nodes: [] },
    ]
    const markup =
      '<flowmark-graph><script type="application/json" class="fm-index">{"pages":[{"path":"","section":"g--p0"},{"path":"S","section":"g--p1"},{"path":"S/T","section":"g--p2"}]}</script></flowmark-graph>'
    expect(pageIndexHtml({ pages }, markup, 'top')).toBe(
      '<nav class="flowmark-dispatcher__index" aria-label="Pages of top"><ul><li><a href="#g--p0">top &amp; co</a>' +
        '<ul><li><a href="#g--p1">S</a><ul><li><a href="#g--p2">T</a></li></ul></li><li>U</li></ul></li></ul></nav>',
    )
  })

  test('a plot drawn twice on a page gets a distinct id the second time', async () => {
    const ids: (string | undefined)[] = []
    const render = perPageRenderer(async (_plot, options) => {
      ids.push(options?.id)
      return { html: '', warnings: [] }
    })
    await render(plot, { title: 'demo' })
    await render(plot, { title: 'demo' })
    await render(plot, { id: 'mine', title: 'demo' })
    await render(plot, { title: 'de mo!' })
    expect(ids).toEqual([undefined, 'demo-2', 'mine', 'de-mo-3'])
  })

  test('tables: captions name the model, empty tables, sub-dispatchers link to their pages', () => {
    expect(possessive('dsp')).toBe('dsp’s')
    expect(possessive('models')).toBe('models’')
    expect(tableHtml('func', 'prices', [])).toBe(
      '<p class="flowmark-table flowmark-table--empty" data-flowmark-table="func">Functions of prices: none.</p>',
    )
    const rows = [
      { id: 'tax', description: 'The tax model.' },
      { id: 'a/b', description: '' },
      { id: 'doc', description: '', href: '/api/x/' },
    ]
    const html = tableHtml(
      'dsp',
      'prices',
      rows,
      new Map([
        ['tax', 'fm-1-p1'],
        ['a%2Fb', 'fm-1-p2'],
        ['doc', 'fm-1-p3'],
      ]),
    )
    expect(html).toContain('<caption>Sub-dispatchers of prices</caption>')
    expect(html).toContain('<td><a href="#fm-1-p1"><code>tax</code></a></td>')
    expect(html).toContain('<td><a href="#fm-1-p2"><code>a/b</code></a></td>')
    expect(html).toContain('<td><a href="/api/x/"><code>doc</code></a></td>')
    expect(tableHtml('data', 'prices', [{ id: 'tax', description: '' }], new Map([['tax', 'fm-1-p1']]))).toContain(
      '<td><code>tax</code></td>',
    )
  })
})
