// Golden tests: each fixtures/doctest-<case>/input.md runs as a page session; its report must equal expected.txt.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { pageSession } from '../../plugin/core/page.ts'
import { formatDiagnostic, runSession, type DoctestReport } from '../../plugin/doctest/index.ts'
import { prepareGolden } from '../golden.ts'

const root = resolve(import.meta.dirname, '../../fixtures')
const cases = readdirSync(root)
  .filter((name) => name.startsWith('doctest-') && existsSync(join(root, name, 'input.md')))
  .sort()

/** Fixture options (`options.json` beside input.md): the per-block timeout. */
interface FixtureOptions {
  readonly timeout?: number
}

/**
 * The report as readable text: every diagnostic as the CLI prints it (paths relative to the fixture), every
 * example with its status, the draws, and the counts. Nothing in it depends on the machine or the run.
 */
function render(
  dir: string,
  report: DoctestReport,
  pageDiagnostics: readonly ReturnType<typeof pageSession>['diagnostics'][number][],
): string {
  const file = join(dir, 'input.md')
  const clean = (text: string): string => text.split(file).join('input.md')
  const diagnostics = [...pageDiagnostics, ...report.diagnostics]
    .sort((a, b) => a.start.line - b.start.line || a.start.column - b.start.column)
    .map((d) => clean(formatDiagnostic(d, { cwd: dir })))
  const examples = report.examples.map((e) => `${e.start.line}:${e.start.column} ${e.status} ${e.kind} ${e.source.split('\n')[0]}`)
  const draws = [...report.draws.values()].map(
    (d) =>
      `${d.id}: ${d.title} (${d.plot.pages.length} page${d.plot.pages.length === 1 ? '' : 's'})${Object.entries(d.tables)
        .map(([table, rows]) => `\n  ${table}: ${rows.map((r) => `${r.id} — ${r.description}`).join('; ')}`)
        .join('')}`,
  )
  return [
    '# diagnostics',
    ...diagnostics,
    '',
    '# examples',
    ...examples,
    '',
    ...(draws.length > 0 ? ['# draws', ...draws, ''] : []),
    `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`,
    '',
  ].join('\n')
}

describe('doctest fixtures', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThanOrEqual(7)
  })
  for (const name of cases) {
    it(name, async () => {
      const dir = join(root, name)
      const options: FixtureOptions = existsSync(join(dir, 'options.json'))
        ? (JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) as FixtureOptions)
        : {}
      const file = join(dir, 'input.md')
      const page = pageSession(readFileSync(file, 'utf8'), file)
      const request = { ...page.request, timeout: options.timeout ?? 20_000 }
      const report = await runSession(request)
      const actual = render(dir, report, page.diagnostics)
      mkdirSync(join(dir, '__actual__'), { recursive: true })
      writeFileSync(join(dir, '__actual__', 'expected.txt'), actual)
      const expectedFile = join(dir, 'expected.txt')
      prepareGolden(expectedFile, actual)
      expect(actual).toBe(readFileSync(expectedFile, 'utf8'))
    })
  }
})
