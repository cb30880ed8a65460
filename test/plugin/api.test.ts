// API pages on the fixture package: extraction, dispatcher tables, page slugs and links, golden Markdown files.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { Dispatcher, SubDispatchFunction, WRAPPED_MODEL } from '../../engine/index.ts'
import {
  ApiDiscoveryError,
  ApiError,
  ApiExtractionError,
  apiPages,
  describeNode,
  dispatcherTables,
  discoverDispatchers,
  exampleMarkdown,
  extractApi,
  firstSentence,
  pageToMarkdownFile,
  slugify,
  summaryTable,
  syncApiPages,
  writeApiPages,
  type ApiDocs,
  type ApiItem,
  type ApiPage,
  type DocLookup,
} from '../../plugin/api/index.ts'
import * as fixture from '../../fixtures/api-package/index.ts'
import { prepareGolden } from '../golden.ts'

const root = path.resolve(import.meta.dirname, '../..')
const fixtureDir = path.join(root, 'fixtures/api-package')
const fixtureFile = path.join(fixtureDir, 'index.ts')
// The project's default cache (node_modules/.cache/flowmark-api): entries are checked against source hashes.
const cache = path.join(root, 'node_modules/.cache/flowmark-api')
const pagesOptions = { pagesDir: path.join(root, 'site/content/docs/api'), sourceBaseUrl: 'https://example.org/flowmark/blob/main/' }

let docs: ApiDocs
let pages: ApiPage[]
let crypto: ApiDocs

/** The 1-based line of the first line of the fixture that starts with `prefix`. */
function lineOf(file: string, prefix: string): number {
  const i = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.startsWith(prefix))
  if (i < 0) throw new Error(`no line starting with ${prefix} in ${file}`)
  return i + 1
}

function item(name: string): ApiItem {
  const found = docs.model.modules[0]?.items.find((i) => i.name === name)
  if (found === undefined) throw new Error(`no item ${name}`)
  return found
}

beforeAll(async () => {
  const model = await extractApi({ entryPoints: ['fixtures/api-package/index.ts'], root, cache, sourceBaseUrl: pagesOptions.sourceBaseUrl })
  docs = await discoverDispatchers(model)
  pages = apiPages(docs, pagesOptions)
  crypto = await discoverDispatchers(await extractApi({ entryPoints: ['fixtures/symmetric-cryptography/model.ts'], root, cache }))
}, 120_000)

describe('extraction', () => {
  it('finds every export of the fixture package with its kind and first sentence', () => {
    const mod = docs.model.modules[0]
    expect(mod?.name).toBe('fixtures/api-package')
    expect(mod?.slug).toBe('fixtures/api-package')
    // Without a `@module` comment, the file's purpose line describes the module (in the API index, too).
    expect(mod?.doc?.firstSentence).toBe(
      'A small documented package for the API page generator: functions, a class, a type, a constant and two models.',
    )
    const got = Object.fromEntries(mod!.items.map((i) => [i.name, [i.kind, i.doc.firstSentence]]))
    expect(got).toEqual({
      add: ['function', 'Adds two numbers.'],
      double: ['function', 'Doubles a number.'],
      Accumulator: ['class', 'Keeps a running total of the numbers pushed into it.'],
      Pair: ['type', 'A pair of numbers, e.g. a point.'],
      DEFAULT_OFFSET: ['variable', "Offset that the main model's `shift` function adds."],
      mainModel: ['dispatcher', 'The main model: sums, doubles and shifts numbers.'],
      subModel: ['dispatcher', 'A sub model that doubles its input.'],
    })
    // Every runtime export is documented, plus the type-only export.
    const runtime = mod!.items
      .filter((i) => i.runtime)
      .map((i) => i.name)
      .sort()
    expect(runtime).toEqual(Object.keys(fixture).sort())
  })

  it('keeps signatures, parameters, returns, examples and source positions', () => {
    const add = item('add')
    expect(add.declaration).toBe('function add(a: number, b: number): number')
    expect(add.signatures[0]?.parameters.map((p) => [p.name, p.type, p.doc])).toEqual([
      ['a', 'number', 'First addend.'],
      ['b', 'number', 'Second addend.'],
    ])
    expect(add.doc.returns).toBe('The sum of `a` and `b`.')
    expect(add.doc.summary).toBe('Adds two numbers. Works for any finite or infinite numbers.')
    expect(add.doc.examples).toEqual(['```ts\n> add(1, 2)\n3\n> add(0.5, -0.5)\n0\n```'])
    const line = lineOf(fixtureFile, 'export function add(')
    expect(add.source).toEqual({
      file: 'fixtures/api-package/index.ts',
      line,
      url: `${pagesOptions.sourceBaseUrl}fixtures/api-package/index.ts#L${line}`,
    })

    const acc = item('Accumulator')
    expect(acc.members.map((m) => [m.kind, m.name, m.text])).toEqual([
      ['constructor', 'constructor', 'new Accumulator(start?: number)'],
      ['property', 'total', 'total: number'],
      ['method', 'push', 'push(x: number): number'],
    ])
    expect(acc.members[0]?.signatures[0]?.parameters[0]).toMatchObject({
      name: 'start',
      defaultValue: '0',
      doc: 'The value the total starts from.',
    })
    expect(acc.members[2]?.doc.returns).toBe('The new total.')
    expect(acc.doc.examples).toHaveLength(1)
    expect(item('double').doc.summary).toBe(
      'Doubles a number. The same as [`add`](api:fixtures/api-package/add) with both arguments equal.',
    )
    expect(item('Pair').declaration).toBe('type Pair = readonly [number, number]')
    expect(item('DEFAULT_OFFSET').declaration).toBe('const DEFAULT_OFFSET: 10')
  })

  it('reports a missing entry point with its path and the root', async () => {
    const err = await extractApi({ entryPoints: ['fixtures/api-package/nope.ts'], root, cache: false }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiExtractionError)
    expect((err as Error).message).toContain('"fixtures/api-package/nope.ts" does not exist')
    await expect(extractApi({ entryPoints: [], root })).rejects.toThrow(/at least one TypeScript file/)
  })

  it('names several entry points as separate modules', async () => {
    const model = await extractApi({
      entryPoints: ['fixtures/api-package/index.ts', { file: 'fixtures/api-package/failing.ts', name: 'failing' }],
      root,
      cache,
    })
    expect(model.modules.map((m) => [m.name, m.slug, m.items.map((i) => i.slug)])).toEqual([
      [
        'fixtures/api-package',
        'fixtures/api-package',
        expect.arrayContaining(['fixtures/api-package/add', 'fixtures/api-package/main-model']),
      ],
      ['failing', 'failing', ['failing/triple']],
    ])
  })
})

describe('dispatcher tables', () => {
  it('lists data, functions and sub-dispatchers with inherited first sentences and links', () => {
    const main = docs.dispatchers.find((d) => d.exportName === 'mainModel')
    expect(main).toMatchObject({
      name: 'main_model',
      slug: 'fixtures/api-package/main-model',
      description: 'Sums, doubles and shifts numbers. It nests the sub model.',
    })
    expect(main?.tables.data).toEqual([
      { id: 's', description: 'Second addend.' }, // @param b of add (sum2) beats the @returns of its producer
      { id: 't', description: 'Twice x.' }, // @returns of double, its single producer
      { id: 'v', description: '' }, // produced by an undocumented arrow function
      { id: 'w', description: 'Twice x.' }, // inside the sub-dispatcher: d, set by double
      { id: 'x', description: 'Input x value.' }, // own description, first sentence
      { id: 'y', description: 'Final output y.' },
      { id: 'z', description: 'Second addend.' }, // @param b of add, at z's position in sum_xy
    ])
    expect(main?.tables.func).toEqual([
      { id: 'double_x', description: 'Doubles a number.', href: 'api:fixtures/api-package/double' },
      { id: 'shift', description: '' },
      { id: 'sum2', description: 'Adds two numbers.', href: 'api:fixtures/api-package/add' },
      { id: 'sum_xy', description: 'Adds two numbers.', href: 'api:fixtures/api-package/add' },
    ])
    expect(main?.tables.dsp).toEqual([
      { id: 'my_sub', description: 'A sub model that doubles its input.', href: 'api:fixtures/api-package/sub-model' },
    ])
    // The plot is taken at full depth once the engine can plot: the sub-dispatcher has its own page.
    const canPlot = typeof (Dispatcher.prototype as unknown as { plot?: unknown }).plot === 'function'
    expect(main?.plot === undefined).toBe(!canPlot)
    if (canPlot) expect(main?.plot?.pages.map((p) => p.path)).toEqual(['', 'my_sub'])
    const sub = docs.dispatchers.find((d) => d.exportName === 'subModel')
    expect(sub?.tables).toEqual({
      data: [
        { id: 'c', description: 'The number to double.' },
        { id: 'd', description: 'Twice x.' },
      ],
      func: [{ id: 'double', description: 'Doubles a number.', href: 'api:fixtures/api-package/double' }],
      dsp: [],
    })
  })

  it('documents the symmetric-cryptography model from its JSDoc and node descriptions', () => {
    const d = crypto.dispatchers.find((x) => x.exportName === 'dsp')
    expect(d?.name).toBe('symmetric_cryptography')
    const data = Object.fromEntries(d!.tables.data.map((r) => [r.id, r.description]))
    expect(data).toEqual({
      decrypted: 'The message in clear.', // @param decrypted of encryptMessage
      decrypted_fpath: 'Path of the file holding the message in clear.',
      encrypted: 'The encrypted message.', // @param encrypted of decryptMessage
      encrypted_fpath: 'Path of the file holding the encrypted message.',
      key: 'Secret key, base64-encoded.',
      key_fpath: 'Path of the key file.',
    })
    const func = Object.fromEntries(d!.tables.func.map((r) => [r.id, [r.description, r.href]]))
    expect(func.generate_key).toEqual(['Generates a new random 256-bit key.', 'api:fixtures/symmetric-cryptography/model/generate-key'])
    expect(func.read_key).toEqual([
      'Reads the key from its file, when the file exists.',
      'api:fixtures/symmetric-cryptography/model/read-text',
    ])
    expect(func.decrypt_message?.[0]).toBe(
      'Decrypts a message encrypted by `encryptMessage`; throws when the key is wrong or the message was altered.',
    )
    expect(Object.keys(func)).toHaveLength(9)
  })

  it('summarises an undocumented dispatcher export by its description and reports import failures', async () => {
    const model = { name: 'm', description: 'Computes things. Quickly.' }
    const dsp = new Dispatcher(model)
    dsp.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'] })
    const empty = { summary: '', firstSentence: '', examples: [], tags: [], modifiers: [] }
    const api = {
      modules: [
        {
          name: 'virtual',
          slug: 'virtual',
          file: 'virtual.ts',
          absoluteFile: '/virtual.ts',
          doc: undefined,
          items: [
            {
              name: 'dsp',
              kind: 'variable' as const,
              slug: 'virtual/dsp',
              declaration: 'const dsp: Dispatcher',
              signatures: [],
              doc: empty,
              members: [],
              runtime: true,
            },
          ],
        },
      ],
      typedocVersion: 'x',
      sourceFiles: [],
      warnings: [],
      stats: { cached: false, durationMs: 0 },
    }
    const found = await discoverDispatchers(api, { importModule: async () => ({ dsp }) })
    expect(found.model.modules[0]?.items[0]).toMatchObject({
      kind: 'dispatcher',
      doc: { summary: 'Computes things. Quickly.', firstSentence: 'Computes things.' },
    })
    expect(found.dispatchers[0]?.tables.func).toEqual([{ id: 'f', description: '' }])
    const err = await discoverDispatchers(api, {
      importModule: async () => {
        throw new Error('boom')
      },
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiDiscoveryError)
    expect((err as Error).message).toContain('cannot import module virtual (virtual.ts) to find its dispatchers: Error: boom')
  })

  it('imports the modules afresh on each call (in a worker), so a changed model is documented as it is now', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowmark-api-fresh-'))
    try {
      const engineUrl = pathToFileURL(path.join(root, 'engine/index.ts')).href
      const write = (text: string) =>
        writeFileSync(
          path.join(dir, 'm.ts'),
          `import { Dispatcher } from '${engineUrl}'\n/** The model. */\nexport const model: Dispatcher = new Dispatcher({ name: 'm', description: '${text}' })\n`,
        )
      write('First version.')
      writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { module: 'nodenext', target: 'es2023', allowImportingTsExtensions: true, noEmit: true },
          include: ['*.ts'],
        }),
      )
      const model = await extractApi({ entryPoints: ['m.ts'], root: dir, cache: false })
      expect((await discoverDispatchers(model)).dispatchers[0]?.description).toBe('First version.')
      write('Second version.')
      expect((await discoverDispatchers(model)).dispatchers[0]?.description).toBe('Second version.')
      writeFileSync(path.join(dir, 'm.ts'), 'export const model = ;\n')
      await expect(discoverDispatchers(model)).rejects.toThrow(/cannot import module m \(m\.ts\) to find its dispatchers: SyntaxError/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('follows rest parameters, model-wrapping functions and survives mapping cycles', () => {
    const docsOf = new Map<unknown, ReturnType<DocLookup['functionDocs']>>()
    const sum = (...xs: number[]) => xs.reduce((a, b) => a + b, 0)
    docsOf.set(sum, {
      doc: { summary: 'Sums.', firstSentence: 'Sums.', examples: [], tags: [], modifiers: [] },
      parameters: [{ name: 'xs', type: 'number[]', optional: false, rest: true, doc: 'The numbers to sum.' }],
    })
    const lookup: DocLookup = { functionDocs: (fn) => docsOf.get(fn) }
    const inner = new Dispatcher({ name: 'inner', description: 'Inner model. More.' })
    inner.addData({ id: 'q', description: 'Inner q.' })
    inner.addFunction({ id: 'id', fn: (q: number) => q, inputs: ['q'], outputs: ['r'] })
    const wrapped = Object.assign((q: number) => q, { [WRAPPED_MODEL]: inner, inputs: ['q'] })
    const dsp = new Dispatcher()
    dsp.addFunction({ id: 'sum', fn: sum, inputs: ['a', 'b', 'c'], outputs: ['s'] })
    dsp.addFunction({ id: 'wrap', fn: wrapped, inputs: ['p'], outputs: ['o'] })
    expect(describeNode(dsp, 'c', lookup)).toBe('The numbers to sum.')
    expect(describeNode(dsp, 'p', lookup)).toBe('Inner q.')
    expect(describeNode(dsp, 'wrap', lookup)).toBe('Inner model. More.')
    expect(describeNode(dsp, 'nope', lookup)).toBe('')

    // The engine's own SubDispatchFunction: the argument's description comes from inside the wrapped model, and
    // the node is listed among the sub-dispatchers.
    const sdf = SubDispatchFunction(inner, { inputs: ['q'], outputs: ['r'] })
    const host = new Dispatcher()
    host.addFunction({ id: 'sdf', fn: sdf, inputs: ['p'], outputs: ['o'] })
    expect(describeNode(host, 'p', lookup)).toBe('Inner q.')
    expect(dispatcherTables(host, lookup)).toEqual({
      data: [
        { id: 'o', description: '' },
        { id: 'p', description: 'Inner q.' },
      ],
      func: [],
      dsp: [{ id: 'sdf', description: 'Inner model.' }],
    })

    // Two sub-dispatchers mapping the same ids both ways: the lookup stops instead of looping.
    const a = new Dispatcher({ name: 'a' })
    a.addFunction({ id: 'f', fn: (x: number) => x, inputs: ['x'], outputs: ['y'] })
    const parent = new Dispatcher()
    parent.addDispatcher({ dispatcher: a, id: 'A', inputs: { k: 'x' }, outputs: { y: 'k' } })
    expect(describeNode(parent, 'k', lookup)).toBe('')
  })
})

describe('pages', () => {
  it('has a page for the index, the module and every item, with stable unique slugs', () => {
    expect(pages.map((p) => [p.slug, p.file, p.kind])).toEqual([
      ['', 'index.md', 'index'],
      ['fixtures/api-package', 'fixtures/api-package/index.md', 'module'],
      ['fixtures/api-package/add', 'fixtures/api-package/add.md', 'function'],
      ['fixtures/api-package/double', 'fixtures/api-package/double.md', 'function'],
      ['fixtures/api-package/accumulator', 'fixtures/api-package/accumulator.md', 'class'],
      ['fixtures/api-package/pair', 'fixtures/api-package/pair.md', 'type'],
      ['fixtures/api-package/default-offset', 'fixtures/api-package/default-offset.md', 'variable'],
      ['fixtures/api-package/main-model', 'fixtures/api-package/main-model.md', 'dispatcher'],
      ['fixtures/api-package/sub-model', 'fixtures/api-package/sub-model.md', 'dispatcher'],
    ])
    expect(new Set(pages.map((p) => p.slug.toLowerCase())).size).toBe(pages.length)
  })

  it('links only to pages that exist', () => {
    const slugs = new Set(pages.map((p) => p.slug))
    let links = 0
    for (const p of pages) {
      for (const m of p.markdown.matchAll(/\]\(\/api\/([^)#]*?)\/?(#[^)]*)?\)/g)) {
        links++
        expect(slugs.has(m[1] as string), `${p.slug} links to ${m[0]}`).toBe(true)
      }
      expect(p.markdown).not.toContain('](api:')
    }
    expect(links).toBeGreaterThan(15)
  })

  it('puts summary tables on the module page and graphs and node tables on dispatcher pages', () => {
    const mod = pages[1]?.markdown ?? ''
    expect(mod).toContain('## Dispatchers')
    expect(mod).toContain('| [`mainModel`](/api/fixtures/api-package/main-model/) | The main model: sums, doubles and shifts numbers. |')
    expect(mod).toContain('| [`Pair`](/api/fixtures/api-package/pair/) | A pair of numbers, e.g. a point. |')
    const main = pages.find((p) => p.slug.endsWith('main-model'))?.markdown ?? ''
    expect(main).toContain('::dispatcher{name="mainModel" from="../../../../../../fixtures/api-package/index.ts" depth="-1"}')
    expect(main).toContain('| `w` | Twice x. |')
    expect(main).toContain('| [`my_sub`](/api/fixtures/api-package/sub-model/) | A sub model that doubles its input. |')
  })

  it('makes autosummary tables of chosen kinds, with or without signatures', () => {
    const mod = docs.model.modules[0]!
    expect(summaryTable(mod, ['function'], { signatures: true })).toBe(
      [
        '| Function | Description |',
        '| - | - |',
        '| [`add(a: number, b: number): number`](/api/fixtures/api-package/add/) | Adds two numbers. |',
        '| [`double(x: number): number`](/api/fixtures/api-package/double/) | Doubles a number. |',
      ].join('\n'),
    )
    expect(summaryTable(mod, ['class', 'dispatcher'], { baseUrl: '/docs/api/' }).split('\n').slice(2)).toEqual([
      '| [`Accumulator`](/docs/api/fixtures/api-package/accumulator/) | Keeps a running total of the numbers pushed into it. |',
      '| [`mainModel`](/docs/api/fixtures/api-package/main-model/) | The main model: sums, doubles and shifts numbers. |',
      '| [`subModel`](/docs/api/fixtures/api-package/sub-model/) | A sub model that doubles its input. |',
    ])
    expect(summaryTable(mod, ['interface'])).toBe('')
  })

  it('emits transcripts as checked fences and other examples so that they also run', () => {
    const add = pages.find((p) => p.slug.endsWith('/add'))
    expect(
      add?.markdown.startsWith(':::testsetup\n```ts\nimport { add } from "../../../../../../fixtures/api-package/index.ts"\n```\n:::'),
    ).toBe(true)
    expect(add?.exampleSource).toBe('fixtures/api-package/index.ts')
    expect(pages.find((p) => p.slug.endsWith('/double'))?.markdown).not.toContain(':::testsetup')
    expect(pages.find((p) => p.slug.endsWith('/accumulator'))?.markdown).toContain('import { Accumulator } from')
    expect(exampleMarkdown('```ts\n> f()\n1\n```')).toBe('```ts\n> f()\n1\n```')
    expect(exampleMarkdown('```ts\nf()\n```')).toBe('```ts\nf()\n```\n\n```ts setup\n{\nf()\n}\n```')
    expect(exampleMarkdown('f()')).toBe('```ts\nf()\n```\n\n```ts setup\n{\nf()\n}\n```')
    expect(exampleMarkdown("```js\nimport { x } from 'y'\nx()\n```")).toBe(
      "```js\nimport { x } from 'y'\nx()\n```\n\n```js setup\nimport { x } from 'y'\nx()\n```",
    )
    expect(exampleMarkdown('Output:\n```text\n1\n```')).toBe('Output:\n\n```text\n1\n```')
    const thrown = exampleMarkdown('f()\ng(-1)  // throws RangeError')
    expect(thrown).toContain(
      '{ let threw = false; try { g(-1) } catch { threw = true } if (!threw) throw new Error("the example says `g(-1)` throws, but it returned normally") }',
    )
    expect(thrown.startsWith('```ts\nf()\ng(-1)  // throws RangeError\n```')).toBe(true)
  })

  it('matches the golden Markdown files (UPDATE=1 rewrites them)', () => {
    const expectedDir = path.join(fixtureDir, 'expected')
    const actualDir = path.join(fixtureDir, '__actual__')
    rmSync(actualDir, { recursive: true, force: true })
    const produced = new Set<string>()
    for (const page of pages) {
      const content = pageToMarkdownFile(page)
      const rel = page.file
      produced.add(rel)
      mkdirSync(path.dirname(path.join(actualDir, rel)), { recursive: true })
      writeFileSync(path.join(actualDir, rel), content)
      const expectedFile = path.join(expectedDir, rel)
      prepareGolden(expectedFile, content)
      expect(content, `${rel} differs from ${path.relative(root, expectedFile)}`).toBe(readFileSync(expectedFile, 'utf8'))
    }
    const stale = readdirSync(expectedDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(expectedDir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .filter((f) => !produced.has(f))
    expect(stale, 'expected files of pages that are no longer generated').toEqual([])
  })

  it('writes Markdown files, rewrites only changes, removes stale pages and refuses foreign folders', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowmark-api-pages-'))
    try {
      const first = writeApiPages(pages, dir)
      expect(first.written).toHaveLength(pages.length)
      expect(readFileSync(path.join(dir, 'fixtures/api-package/add.md'), 'utf8')).toMatch(
        /^---\ntitle: add\ndescription: Adds two numbers.\neditUrl: https:\/\/example\.org\/flowmark\/blob\/main\/fixtures\/api-package\/index\.ts#L\d+\nsidebar:\n {2}label: add\n {2}order: 1\n---\n/,
      )
      expect(writeApiPages(pages, dir)).toEqual({ written: [], removed: [] })
      const fewer = pages.filter((p) => p.slug !== 'fixtures/api-package/pair')
      expect(writeApiPages(fewer, dir).removed).toEqual([path.join(dir, 'fixtures/api-package/pair.md')])
      const foreign = mkdtempSync(path.join(tmpdir(), 'flowmark-api-foreign-'))
      writeFileSync(path.join(foreign, 'mine.md'), 'hand-written')
      expect(() => writeApiPages(pages, foreign)).toThrow(ApiError)
      expect(readFileSync(path.join(foreign, 'mine.md'), 'utf8')).toBe('hand-written')
      rmSync(foreign, { recursive: true })
    } finally {
      rmSync(dir, { recursive: true })
    }
  })
})

describe('syncApiPages', () => {
  it('writes the pages with imports relative to their folder and lists the sources to watch', async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'flowmark-api-sync-'))
    try {
      const result = await syncApiPages({ entryPoints: ['fixtures/api-package/index.ts'], root, cache, outDir })
      expect(result.written).toHaveLength(result.pages.length)
      expect(result.watchFiles).toEqual(expect.arrayContaining([fixtureFile, path.join(root, 'engine/index.ts')]))
      const addFile = path.join(outDir, 'fixtures/api-package/add.md')
      const spec = /from "([^"]+)"/.exec(readFileSync(addFile, 'utf8'))?.[1] ?? ''
      expect(path.resolve(path.dirname(addFile), spec)).toBe(fixtureFile)
      const again = await syncApiPages({ entryPoints: ['fixtures/api-package/index.ts'], root, cache, outDir })
      expect([again.written, again.removed, again.model.stats.cached]).toEqual([[], [], true])
    } finally {
      rmSync(outDir, { recursive: true, force: true })
    }
  })
})

describe('text helpers', () => {
  it('cuts the first sentence like autosummary', () => {
    expect(firstSentence('Adds two numbers. More text.')).toBe('Adds two numbers.')
    expect(firstSentence('A pair, e.g. a point. Second.')).toBe('A pair, e.g. a point.')
    expect(firstSentence('Uses `a.b` and `x. y`. Then.')).toBe('Uses `a.b` and `x. y`.')
    expect(firstSentence('Version 1.5 is out! Yes.')).toBe('Version 1.5 is out!')
    expect(firstSentence('No stop here\nsecond line')).toBe('No stop here')
    expect(firstSentence('First para\nwraps here.\n\nSecond para.')).toBe('First para wraps here.')
    expect(firstSentence(undefined)).toBe('')
    expect(firstSentence('   ')).toBe('')
  })

  it('makes lowercase kebab slugs', () => {
    expect(['idText', 'WRAPPED_MODEL', 'Dispatcher', 'api-package', 'HTMLParser', 'x'].map(slugify)).toEqual([
      'id-text',
      'wrapped-model',
      'dispatcher',
      'api-package',
      'html-parser',
      'x',
    ])
    expect(slugify('$$')).toBe('_')
  })
})
