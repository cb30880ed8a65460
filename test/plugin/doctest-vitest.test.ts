// Doctests as first-class Vitest tests: describeDoctests declares one test per example of each matching page.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { describeDoctests } from '../../plugin/doctest/vitest.ts'

const repo = resolve(import.meta.dirname, '../..')

// Passing pages, declared as tests of this file.
describeDoctests(['fixtures/doctest-repl-formats/input.md', 'fixtures/doctest-typescript/input.md', 'fixtures/doctest-scope/input.md'], {
  cwd: repo,
})

describe('describeDoctests on a failing page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowmark-doctest-vitest-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('fails exactly the failing examples, each with its page position', () => {
    // From the sources, as in this repository: `source` resolves `flowmark` (which the plugin imports) to its TypeScript.
    const conditions = `['source', 'module', 'node', 'development|production']`
    writeFileSync(
      join(dir, 'vitest.config.mjs'),
      `export default { resolve: { conditions: ${conditions} }, ssr: { resolve: { conditions: ${conditions} } }, test: { include: ['*.doctest.ts'] } }\n`,
    )
    writeFileSync(
      join(dir, 'page.doctest.ts'),
      [
        `import { describeDoctests } from ${JSON.stringify(join(repo, 'plugin/doctest/vitest.ts'))}`,
        `describeDoctests(['fixtures/doctest-setup-cleanup/input.md'], { cwd: ${JSON.stringify(repo)} })`,
      ].join('\n'),
    )
    const node = join(repo, 'node_modules/.bin/node')
    const out = join(dir, 'report.json')
    const run = spawnSync(
      node,
      [
        join(repo, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--root',
        dir,
        '--config',
        join(dir, 'vitest.config.mjs'),
        '--reporter=json',
        `--outputFile=${out}`,
      ],
      { cwd: repo, encoding: 'utf8' },
    )
    expect(run.status).toBe(1)
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      testResults: { assertionResults: { status: string; title: string; failureMessages: string[] }[] }[]
    }
    const results = report.testResults.flatMap((f) => f.assertionResults)
    expect(results.map((r) => `${r.status} ${r.title}`)).toEqual([
      'passed page has no doctest errors',
      'passed 4:1 const log: string[] = [] …',
      "failed 11:1 > log.push('example'); log.length",
      "failed 13:1 > log.push('throws'); null.x",
      "passed 17:1 log.push('cleanup')",
      'passed 23:1 > log',
    ])
    expect(results[2]!.failureMessages[0]).toContain('fixtures/doctest-setup-cleanup/input.md:11:1 error')
    expect(results[3]!.failureMessages[0]).toContain('threw TypeError: Cannot read properties of null')
  }, 60_000)
})
