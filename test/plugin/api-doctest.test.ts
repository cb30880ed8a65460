// API pages through the doctest pipeline: @example transcripts are checked, other examples run, dispatchers draw.
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { pageSession } from '../../plugin/core/page.ts'
import { runSession } from '../../plugin/doctest/index.ts'
import { generateApi, type ApiPage } from '../../plugin/api/index.ts'

const root = path.resolve(import.meta.dirname, '../..')
const pagesDir = path.join(root, 'site/content/docs/api')
let pages: readonly ApiPage[]

async function run(slug: string) {
  const page = pages.find((p) => p.slug === slug)
  if (page === undefined) throw new Error(`no page ${slug}`)
  const file = path.join(pagesDir, page.file)
  const session = pageSession(page.markdown, file)
  const report = await runSession(session.request)
  return { page, session, report }
}

beforeAll(async () => {
  const api = await generateApi({
    entryPoints: ['fixtures/api-package/index.ts', { file: 'fixtures/api-package/failing.ts', name: 'failing' }],
    root,
    pagesDir,
  })
  pages = api.pages
}, 120_000)

describe('API pages as doctest pages', () => {
  it('checks a correct @example transcript and passes', async () => {
    const { session, report } = await run('fixtures/api-package/add')
    expect(session.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(report.diagnostics).toEqual([])
    expect(report.passed).toBeGreaterThanOrEqual(2) // the two `add(…)` statements (setup blocks may count too)
    expect(report.failed).toBe(0)
  })

  it('reports a wrong @example transcript with expected and actual output', async () => {
    const { report } = await run('failing/triple')
    expect(report.failed).toBe(1)
    const d = report.diagnostics.find((x) => x.rule === 'doctest-mismatch')
    expect(d?.expected?.trim()).toBe('7')
    expect(d?.actual?.trim()).toBe('6')
  })

  it('runs a code example that is not a transcript (and would report its throw)', async () => {
    const { session, report } = await run('fixtures/api-package/accumulator')
    expect(session.request.blocks.map((b) => b.kind)).toEqual(['setup', 'setup'])
    expect(report.diagnostics).toEqual([])
    const page = pages.find((p) => p.slug === 'fixtures/api-package/accumulator')!
    const broken = pageSession(page.markdown.replaceAll('acc.total !== 6', 'acc.total !== 7'), path.join(pagesDir, page.file))
    const failed = await runSession(broken.request)
    expect(failed.diagnostics.map((x) => x.severity)).toContain('error')
    expect(failed.diagnostics.map((x) => x.message).join('\n')).toContain('expected 6, got 6')
  })

  it('runs every example of the engine API pages', async () => {
    const engine = await generateApi({ entryPoints: ['engine/index.ts'], root, pagesDir })
    const withExamples = engine.pages.filter((p) => p.exampleSource !== undefined)
    expect(withExamples.length).toBeGreaterThan(0)
    const failures: string[] = []
    for (const page of withExamples) {
      const file = path.join(pagesDir, page.file)
      const session = pageSession(page.markdown, file)
      const report = await runSession(session.request)
      for (const d of [...session.diagnostics, ...report.diagnostics])
        if (d.severity === 'error') failures.push(`${page.slug}: ${d.message}`)
    }
    expect(failures).toEqual([])
  }, 120_000)

  it('draws the dispatcher of a dispatcher page from its module', async () => {
    const { session, report } = await run('fixtures/api-package/main-model')
    expect(session.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(report.diagnostics).toEqual([])
    const draws = [...report.draws.values()]
    expect(draws).toHaveLength(1)
    expect(draws[0]?.plot.pages.map((p) => p.path)).toEqual(['', 'my_sub'])
  })
})
