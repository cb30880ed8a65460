// Session workers are reused across pages only when the earlier page left nothing the later one could see.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { SessionBlock, SessionRequest } from '../../plugin/core/types.ts'
import { runSession, sessionWorkerStats } from '../../plugin/doctest/session.ts'

const repo = resolve(import.meta.dirname, '../..')
const page = (name: string): string => resolve(repo, 'fixtures/doctest-typescript', name)
const transcript = (code: string): SessionBlock => ({ kind: 'transcript', id: 't1', code, start: { line: 2, column: 1 }, flags: {} })
const request = (name: string, code: string, extra: Partial<SessionRequest> = {}): SessionRequest => ({
  file: page(name),
  blocks: [transcript(code)],
  ...extra,
})

/** Runs one page and says whether it ran on a worker an earlier page had used. */
async function run(
  req: SessionRequest,
): Promise<{ reused: boolean; failed: number; actual: (string | undefined)[]; reasons: readonly string[] }> {
  const before = sessionWorkerStats().reused
  const report = await runSession(req)
  const after = sessionWorkerStats()
  return { reused: after.reused > before, failed: report.failed, actual: report.examples.map((e) => e.actual), reasons: after.lastReasons }
}

describe('worker reuse', () => {
  it("runs a later page on the worker a clean page left, without the earlier page's globals", async () => {
    await run(request('a.md', '> globalThis.leaked = 1\n1\n> const first = 2\n> first\n2\n'))
    const second = await run(request('b.md', "> typeof leaked\n'undefined'\n> 6 * 7\n42\n"))
    expect(second.failed).toBe(0)
    expect(second.reused).toBe(true)
  })

  it('ends a worker whose page replaced a global, so the next page gets the real one', async () => {
    const replacing = await run(request('e2.md', "> globalThis.structuredClone = () => 'fake'\n> structuredClone(1)\n'fake'\n"))
    expect(replacing.reasons.join('; ')).toMatch(/changed the global `structuredClone`/)
    const next = await run(request('f2.md', '> structuredClone(1)\n1\n'))
    expect(next.failed).toBe(0)
  })

  it("deletes a page's script-level var and function declarations, so a page naming them reuses the worker", async () => {
    const declaring = await run(request('c1.md', '> var scriptVar = 5\n> function scriptFn() { return scriptVar }\n> scriptFn()\n5\n'))
    expect(declaring.failed).toBe(0)
    const naming = await run(request('d1.md', "> typeof scriptVar + ' ' + typeof scriptFn\n'undefined undefined'\n"))
    expect(naming.failed).toBe(0)
    expect(naming.reused).toBe(true)
  })

  it('keeps a page that names an undeletable global of an earlier page off that worker', async () => {
    await run(request('c.md', "> Object.defineProperty(globalThis, 'stuckName', { value: 5 }).stuckName\n5\n"))
    const naming = await run(request('d.md', "> typeof stuckName\n'undefined'\n"))
    expect(naming.failed).toBe(0)
    expect(naming.reused).toBe(false)
  })

  it('ends a worker whose page changed a built-in, so the next page never sees the change', async () => {
    const retired = sessionWorkerStats().retired
    const changing = await run(request('e.md', '> Array.prototype.extra = 1\n1\n'))
    expect(changing.reasons.join('; ')).toMatch(/changed `extra` of `Array`/)
    expect(sessionWorkerStats().retired).toBe(retired + 1)
    const next = await run(request('f.md', "> 'extra' in []\nfalse\n"))
    expect(next.failed).toBe(0)
  })

  it('keeps a worker whose page loaded a module of its own for a page that does not load it', async () => {
    const limit = { maxMemoryMb: 701 } // a heap limit of its own: no worker of another test can serve these pages
    const importing = await run(
      request('g.md', "> const { Dispatcher } = await import('flowmark')\n> typeof (await import('./helper.ts'))\n'object'\n", limit),
    )
    expect(importing.failed).toBe(0)
    const next = await run(request('h.md', "> typeof greet\n'undefined'\n", limit))
    expect(next).toMatchObject({ failed: 0, reused: true })
  })

  it('gives a page its own worker with +FRESH_WORKER or FLOWMARK_DOCTEST_REUSE=0', async () => {
    await run(request('i.md', '> 1\n1\n'))
    expect((await run(request('j.md', '> 2\n2\n', { flags: { freshWorker: true } }))).reused).toBe(false)
    process.env['FLOWMARK_DOCTEST_REUSE'] = '0'
    try {
      expect((await run(request('k.md', '> 3\n3\n'))).reused).toBe(false)
    } finally {
      delete process.env['FLOWMARK_DOCTEST_REUSE']
    }
  })
})

describe('modules a page loaded on a reused worker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowmark-doctest-reuse-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  /** A page in `dir` (its relative imports resolve there); `maxMemoryMb` keeps it to the workers of its own test. */
  const inDir = (name: string, code: string, maxMemoryMb: number): SessionRequest => ({
    file: join(dir, name),
    blocks: [transcript(code)],
    maxMemoryMb,
  })
  const counter = (name: string, start: number): void =>
    writeFileSync(join(dir, name), `let count = ${start}\nexport function bump(): number {\n  return ++count\n}\n`)

  it('gives each page on one worker a fresh instance of a stateful model module and of what it imports', async () => {
    counter('tally.ts', 100)
    writeFileSync(
      join(dir, 'counter.ts'),
      "import { bump as tally } from './tally.ts'\nlet count = 0\nexport const bump = (): number => ++count * 1000 + tally()\n",
    )
    const code = "> import { bump } from './counter.ts'\n> bump()\n1101\n> bump()\n2102\n"
    expect((await run(inDir('p1.md', code, 702))).failed).toBe(0)
    const rerun = sessionWorkerStats().rerun
    const second = await run(inDir('p2.md', code, 702))
    expect(second).toMatchObject({ failed: 0, reused: true, actual: ['', '1101', '2102'] })
    expect(sessionWorkerStats().rerun).toBe(rerun)
    // Its results are those it has alone, on a worker of its own.
    const alone = await run({ ...inDir('p2.md', code, 702), flags: { freshWorker: true } })
    expect(alone.actual).toEqual(second.actual)
  })

  it('gives a page its own instance of a module an earlier page on its worker loaded, on that worker', async () => {
    counter('hidden.ts', 10)
    // A computed specifier: nothing tells beforehand which module the page loads; it needs no worker of its own.
    const code = "> const { bump } = await import(['./hid', 'den.ts'].join(''))\n> bump()\n11\n"
    expect((await run(inDir('q1.md', code, 703))).failed).toBe(0)
    const rerun = sessionWorkerStats().rerun
    const second = await run(inDir('q2.md', code, 703))
    expect(second).toMatchObject({ failed: 0, reused: true, actual: ['', '11'] })
    expect(sessionWorkerStats().rerun).toBe(rerun)
  })

  it('runs a page again on a new worker when it asks for a data: module an earlier page on its worker loaded', async () => {
    const code = "> const m = await import('data:text/javascript,export const box = { n: 0 }')\n> ++m.box.n\n1\n"
    expect((await run(inDir('s1.md', code, 705))).failed).toBe(0)
    const rerun = sessionWorkerStats().rerun
    expect(await run(inDir('s2.md', code, 705))).toMatchObject({ failed: 0, actual: ['', '1'] })
    expect(sessionWorkerStats().rerun).toBe(rerun + 1)
  })

  it('imports a model file again when it changed since a page on the worker loaded it', async () => {
    writeFileSync(join(dir, 'model.ts'), 'export const answer: number = 1\n')
    const code = "> import { answer } from './model.ts'\n> answer\n1\n"
    expect((await run(inDir('r.md', code, 704))).failed).toBe(0)
    writeFileSync(join(dir, 'model.ts'), 'export const answer: number = 2\n')
    const again = await run(inDir('r.md', code, 704))
    expect(again).toMatchObject({ reused: true, actual: ['', '2'] })
  })

  it("shows a model's URL, stack frames and errors without the page query, as a fresh worker does", async () => {
    const model = join(dir, 'located.ts')
    writeFileSync(
      model,
      "// A model that fails.\nexport function fail(): never {\n  throw new Error('model failed')\n}\nexport const url = import.meta.url\nexport const sibling = import.meta.resolve('./bad-syntax.ts')\n",
    )
    writeFileSync(join(dir, 'bad-syntax.ts'), '// A model that does not parse.\nexport const x: number = (1 +\n')
    mkdirSync(join(dir, 'node_modules/typed'), { recursive: true })
    writeFileSync(join(dir, 'node_modules/typed/package.json'), '{ "name": "typed", "type": "module", "exports": "./index.ts" }\n')
    writeFileSync(join(dir, 'node_modules/typed/index.ts'), 'export const typed: number = 1\n')
    const code = [
      "> import { fail, url, sibling } from './located.ts'",
      // Compared in the page (printed text alone could be cleaned afterwards).
      `> [url === '${pathToFileURL(model).href}', sibling === '${pathToFileURL(join(dir, 'bad-syntax.ts')).href}']`,
      '[ true, true ]',
      `> try { fail() } catch (e) { (e as Error).stack!.split('\\n')[1]!.trim() === 'at fail (${pathToFileURL(model).href}:3:9)' }`,
      'true',
      '> fail()',
      'Uncaught Error: model failed',
      // Node strips no types below node_modules, on a reused worker neither.
      "> await import('typed').then(() => 'loaded', (e: { code?: string }) => e.code)",
      "'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING'",
      "> await import('./bad-syntax.ts')",
      '',
    ].join('\n')
    const first = await runSession(inDir('u1.md', code, 706))
    const reused = sessionWorkerStats().reused
    const pages = [first, await runSession(inDir('u2.md', code, 706))]
    expect(sessionWorkerStats().reused).toBe(reused + 1)
    const alone = await runSession({ ...inDir('u3.md', code, 706), flags: { freshWorker: true } })
    for (const report of [...pages, alone]) {
      expect(report.examples.map((e) => e.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'failed'])
      const message = report.diagnostics.find((d) => d.rule === 'doctest-error')?.message ?? ''
      expect(message).toContain(`${join(dir, 'bad-syntax.ts')}:2\n`)
      expect(message).not.toMatch(/flowmark-page/)
    }
    expect(pages[1]!.examples.map((e) => e.actual)).toEqual(alone.examples.map((e) => e.actual))
  })
})
