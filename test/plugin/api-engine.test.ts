// API pages of the engine itself: every public export of engine/index.ts is covered; extraction time and the cache.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as engine from '../../engine/index.ts'
import {
  apiPages,
  discoverDispatchers,
  extractApi,
  generateApi,
  type ApiDocs,
  type ApiModel,
  type ApiPage,
} from '../../plugin/api/index.ts'

const root = path.resolve(import.meta.dirname, '../..')
const cache = mkdtempSync(path.join(tmpdir(), 'flowmark-api-engine-'))
let fresh: ApiModel
let cached: ApiModel
let docs: ApiDocs
let pages: ApiPage[]

/** The names engine/index.ts exports, as the TypeScript compiler sees them (values and types). */
function compilerExports(): string[] {
  const file = path.join(root, 'engine/index.ts')
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2023,
  })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(file)
  const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source)
  if (symbol === undefined) throw new Error('engine/index.ts has no module symbol')
  return checker
    .getExportsOfModule(symbol)
    .map((s) => s.name)
    .sort()
}

beforeAll(async () => {
  fresh = await extractApi({ entryPoints: ['engine/index.ts'], root, cache })
  cached = await extractApi({ entryPoints: ['engine/index.ts'], root, cache })
  docs = await discoverDispatchers(cached)
  pages = apiPages(docs)
  console.log(
    `[api] engine/index.ts: TypeDoc extraction ${fresh.stats.durationMs.toFixed(0)} ms, from cache ${cached.stats.durationMs.toFixed(0)} ms (${(fresh.stats.durationMs / cached.stats.durationMs).toFixed(1)}x)`,
  )
}, 120_000)

afterAll(() => rmSync(cache, { recursive: true, force: true }))

describe('engine API', () => {
  it('documents every public export of engine/index.ts, each on its own page', () => {
    const exported = compilerExports()
    expect(exported.length).toBeGreaterThan(40)
    const mod = docs.model.modules[0]
    expect(mod?.name).toBe('engine')
    const documented = mod!.items.map((i) => i.name).sort()
    expect(documented).toEqual(exported)
    expect(docs.model.warnings).toEqual([])
    const slugs = new Set(pages.map((p) => p.slug))
    for (const item of mod!.items) expect(slugs.has(item.slug), `page for ${item.name}`).toBe(true)
    // Runtime exports are exactly the runtime items.
    expect(
      mod!.items
        .filter((i) => i.runtime)
        .map((i) => i.name)
        .sort(),
    ).toEqual(Object.keys(engine).sort())
  })

  it('gives names that differ only in case distinct slugs', () => {
    const slugOf = (name: string, kind: string) => docs.model.modules[0]?.items.find((i) => i.name === name && i.kind === kind)?.slug
    expect(slugOf('Inf', 'class')).toBe('engine/inf-class')
    expect(slugOf('inf', 'function')).toBe('engine/inf-function')
    expect(slugOf('EMPTY', 'variable')).toBe('engine/empty-variable')
    expect(slugOf('Empty', 'type')).toBe('engine/empty-type')
    expect(slugOf('Dispatcher', 'class')).toBe('engine/dispatcher')
    expect(new Set(pages.map((p) => p.slug)).size).toBe(pages.length)
  })

  it('documents the Dispatcher class with its members and summaries', () => {
    const d = docs.model.modules[0]?.items.find((i) => i.name === 'Dispatcher')
    const names = d?.members.map((m) => m.name) ?? []
    for (const m of ['constructor', 'addData', 'addFunction', 'addDispatcher', 'dispatch', 'nodes']) expect(names).toContain(m)
    expect(d?.members.find((m) => m.name === 'dispatch')?.doc.firstSentence).toMatch(/\.$/)
    const page = pages.find((p) => p.slug === 'engine/dispatcher')
    expect(page?.markdown).toContain('### dispatch')
    expect(page?.markdown).toContain(':::testsetup') // the class has an @example: the page imports the engine
  })

  it('puts interface properties in a table and links members to their heading ids', () => {
    const options = pages.find((p) => p.slug === 'engine/add-data-options')?.markdown ?? ''
    expect(options).toContain('| Property | Type | Description |')
    expect(options).toMatch(/\| `id\?` \| `NodeId` \| Node id; /)
    expect(options).not.toContain('## Members')
    // A union type in a table cell keeps the table intact: its pipe is escaped.
    const dispatch = pages.find((p) => p.slug === 'engine/dispatch-options')?.markdown ?? ''
    expect(dispatch).toContain('| `wildcard?` | `boolean \\| "producible"` |')
    const solution = pages.find((p) => p.slug === 'engine/solution')?.markdown ?? ''
    // Heading ids as github-slugger makes them: `addData` → `adddata`; the table links to each.
    const dispatcher = pages.find((p) => p.slug === 'engine/dispatcher')?.markdown ?? ''
    expect(dispatcher).toContain('| [`addData`](#adddata) |')
    expect(dispatcher).toContain('### addData')
    expect(solution).toContain('## Members')
  })

  it('prints function types with their rest parameters', () => {
    const anyFunction = docs.model.modules[0]?.items.find((i) => i.name === 'AnyFunction')
    expect(anyFunction?.declaration).toBe('type AnyFunction = (...args: any[]) => unknown')
  })

  it('leaves inherited members to the base class page and links to it', () => {
    const err = docs.model.modules[0]?.items.find((i) => i.name === 'ModelError')
    expect(err?.heritage).toEqual([{ relation: 'extends', type: 'FlowmarkError', slug: 'engine/flowmark-error' }])
    expect(err?.members.map((m) => m.name)).not.toContain('stack')
    expect(pages.find((p) => p.slug === 'engine/model-error')?.markdown).toContain(
      'Extends [`FlowmarkError`](/api/engine/flowmark-error/).',
    )
    const solution = docs.model.modules[0]?.items.find((i) => i.name === 'Solution')
    expect(solution?.heritage).toEqual([{ relation: 'implements', type: 'ReadonlyMap<NodeId, unknown>' }])
  })

  // How much faster the cache is belongs to `npm run bench:docs` (cold against warm builds), not to a test.
  it('reads the engine from the cache, with the same model TypeDoc converted', () => {
    expect(fresh.stats.cached).toBe(false)
    expect(cached.stats.cached).toBe(true)
    expect(cached.modules).toEqual(fresh.modules)
  })
})

/** A tsconfig.json for a throwaway project of `.ts` files in `dir`. */
function writeTsconfig(dir: string): void {
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'nodenext', target: 'es2023', strict: true, allowImportingTsExtensions: true, noEmit: true },
      include: ['*.ts'],
    }),
  )
}

describe('extraction cache', () => {
  it('is invalidated by a change to a file the entry points import, and only those', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowmark-api-cache-'))
    try {
      writeTsconfig(dir)
      writeFileSync(
        path.join(dir, 'a.ts'),
        "import { b } from './b.ts'\n/** Calls b. */\nexport function a(): number { return b() }\nexport { b }\n",
      )
      const writeB = (doc: string) => writeFileSync(path.join(dir, 'b.ts'), `/** ${doc} */\nexport function b(): number { return 1 }\n`)
      writeB('Returns one.')
      const opts = { entryPoints: ['a.ts'], root: dir, cache: '.cache' }
      const first = await extractApi(opts)
      const second = await extractApi(opts)
      expect([first.stats.cached, second.stats.cached]).toEqual([false, true])
      writeB('Returns one, changed.')
      const third = await extractApi(opts)
      expect(third.stats.cached).toBe(false)
      expect(third.modules[0]?.items.find((i) => i.name === 'b')?.doc.summary).toBe('Returns one, changed.')
      // A file of the program that the entry point does not import (a benchmark, a test) is not part of the key.
      writeFileSync(path.join(dir, 'bench.ts'), "import { a } from './a.ts'\nexport const n: number = a()\n")
      expect((await extractApi(opts)).stats.cached).toBe(true)
      writeFileSync(path.join(dir, 'bench.ts'), "import { a } from './a.ts'\nexport const n: number = a() + 1\n")
      const afterBench = await extractApi(opts)
      expect([afterBench.stats.cached, afterBench.sourceFiles]).toEqual([true, ['a.ts', 'b.ts']])
      // A type-only import is part of it.
      writeFileSync(path.join(dir, 'c.ts'), 'export type C = number\n')
      writeFileSync(path.join(dir, 'b.ts'), "import type { C } from './c.ts'\n/** Returns one. */\nexport function b(): C { return 1 }\n")
      expect((await extractApi(opts)).sourceFiles).toEqual(['a.ts', 'b.ts', 'c.ts'])
      writeFileSync(path.join(dir, 'c.ts'), 'export type C = 1\n')
      const typed = await extractApi(opts)
      expect([typed.stats.cached, typed.modules[0]?.items.find((i) => i.name === 'b')?.declaration]).toEqual([false, 'function b(): 1'])
      // A namespace export is reported, not silently dropped; a tsconfig change invalidates the cache.
      writeFileSync(
        path.join(dir, 'a.ts'),
        "import { b } from './b.ts'\n/** Calls b. */\nexport function a(): number { return b() }\nexport { b }\nexport * as ns from './b.ts'\n",
      )
      const withNs = await extractApi(opts)
      expect(withNs.warnings).toEqual([expect.stringMatching(/^export a\.ns .*is a Namespace: not documented/)])
      expect(withNs.modules[0]?.items.map((i) => i.name)).toEqual(['a', 'b'])
      expect((await extractApi(opts)).stats.cached).toBe(true)
      writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, allowImportingTsExtensions: true, noEmit: true },
          include: ['*.ts'],
        }),
      )
      expect((await extractApi(opts)).stats.cached).toBe(false)
      // Other options are another cache entry.
      const linked = await extractApi({ ...opts, sourceBaseUrl: 'https://example.org/' })
      expect(linked.stats.cached).toBe(false)
      expect(linked.modules[0]?.items[0]?.source?.url).toMatch(/^https:\/\/example\.org\/a\.ts#L\d+$/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)

  it('keeps the pages with the model, and builds them again when a file the entry points import changes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowmark-api-pages-cache-'))
    try {
      writeTsconfig(dir)
      writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b.ts'\n/** Calls b. */\nexport function a(): number { return b() }\n")
      writeFileSync(path.join(dir, 'b.ts'), '/** Returns one. */\nexport function b(): number { return 1 }\n')
      const opts = { entryPoints: ['a.ts'], root: dir, cache: '.cache', pagesDir: path.join(dir, 'api') }
      const first = await generateApi(opts)
      const second = await generateApi(opts)
      expect([first.pagesCached, second.pagesCached]).toEqual([false, true])
      expect(second.pages).toEqual(first.pages)
      expect(second.model.modules).toEqual(first.model.modules)
      // A benchmark of the program is not an input; other page options are another entry.
      writeFileSync(path.join(dir, 'bench.ts'), "import { a } from './a.ts'\nexport const n: number = a()\n")
      expect((await generateApi(opts)).pagesCached).toBe(true)
      expect((await generateApi({ ...opts, baseUrl: '/reference/' })).pagesCached).toBe(false)
      // An imported file's body (nothing the model shows) may change what the modules export at run time.
      writeFileSync(path.join(dir, 'b.ts'), '/** Returns one. */\nexport function b(): number { return 0 + 1 }\n')
      const edited = await generateApi(opts)
      expect(edited.pagesCached).toBe(false)
      expect((await generateApi(opts)).pagesCached).toBe(true)
      expect((await generateApi({ ...opts, cache: false })).pagesCached).toBe(false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
