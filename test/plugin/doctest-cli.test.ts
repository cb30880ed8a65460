// `flowmark-docs doctest` (plugin/doctest/cli.ts main): output format, summary line, exit codes, --timeout, --update.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../plugin/doctest/cli.ts'

const fixtures = resolve(import.meta.dirname, '../../fixtures')
const work = mkdtempSync(join(tmpdir(), 'flowmark-doctest-cli-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

async function run(argv: string[], cwd = work): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await main(argv, { cwd, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } })
  return { code, out, err }
}

describe('flowmark-docs doctest', () => {
  it('a folder or glob run leaves out generated pages (a folder with a .flowmark-api marker); a named file runs', async () => {
    const site = join(work, 'scope')
    mkdirSync(join(site, 'api', 'deep'), { recursive: true })
    writeFileSync(join(site, 'page.md'), '```ts\n> 1 + 1\n2\n```\n')
    writeFileSync(join(site, 'api', '.flowmark-api'), 'generated\n')
    writeFileSync(join(site, 'api', 'deep', 'generated.md'), '```ts\n> 2 + 2\n5\n```\n')
    expect((await run(['scope'])).out).toBe('1 passed, 0 failed in 1 file\n')
    expect((await run(['scope/**/*.md'])).out).toBe('1 passed, 0 failed in 1 file\n')
    const named = await run(['scope/api/deep/generated.md'])
    expect(named.out).toContain('0 passed, 1 failed in 1 file')
    // Without the marker the same folder is the user's own: its pages run.
    rmSync(join(site, 'api', '.flowmark-api'))
    expect((await run(['scope'])).out.trimEnd().split('\n').at(-1)).toBe('1 passed, 1 failed in 2 files')
  })

  it('passes a passing page with exit code 0 and the summary line', async () => {
    const { code, out } = await run(['fixtures/doctest-typescript/input.md', 'fixtures/doctest-scope/input.md'], resolve(fixtures, '..'))
    expect(out).toBe('42 passed, 0 failed in 2 files\n')
    expect(code).toBe(0)
  })

  it('prints each failure as file:line:col with its diff, and exits 1', async () => {
    cpSync(join(fixtures, 'doctest-setup-cleanup'), join(work, 'failing'), {
      recursive: true,
      filter: (src) => !src.includes('__actual__'),
    })
    const { code, out } = await run(['failing/*.md'])
    expect(code).toBe(1)
    const lines = out.split('\n')
    expect(lines[0]).toBe(
      "failing/input.md:11:1 error `> log.push('example'); log.length` printed something else than the transcript says. Fix the expected lines (or run `flowmark-docs doctest --update`). [doctest-mismatch]",
    )
    expect(lines.slice(1, 6)).toEqual(['  --- expected', '  +++ actual', '  @@ -1,1 +1,1 @@', '  -3', '  +2'])
    expect(out).toContain("failing/input.md:13:1 error `> log.push('throws'); null.x` threw TypeError")
    expect(out.trimEnd().split('\n').at(-1)).toBe('3 passed, 2 failed in 1 file')
  })

  it('--update rewrites the expected output, after which the page passes', async () => {
    cpSync(join(fixtures, 'doctest-failures'), join(work, 'update'), { recursive: true, filter: (src) => !src.includes('__actual__') })
    const before = readFileSync(join(work, 'update/input.md'), 'utf8')
    const first = await run(['update', '--update'])
    expect(first.out).toContain('updated 4 examples in update/input.md')
    const after = readFileSync(join(work, 'update/input.md'), 'utf8')
    expect(after).not.toBe(before)
    expect(after).toContain("> 'indented'.toUpperCase()\n  'INDENTED'\n")
    expect(after).toContain('> check(5)\nUncaught RangeError: 5 is too big\n')
    // Syntax errors and the failing directive block cannot be updated; they still fail.
    const second = await run(['update'])
    expect(second.out).not.toContain('doctest-mismatch')
    expect(second.out).toContain('[doctest-syntax]')
    expect(second.code).toBe(1)
  })

  it('applies --timeout and reports the examples it could not run', async () => {
    const { code, out } = await run(['--timeout', '300', join(fixtures, 'doctest-timeout-loop/input.md')])
    expect(code).toBe(1)
    expect(out).toContain('did not finish within 300 ms')
    expect(out.trimEnd().split('\n').at(-1)).toBe('2 passed, 1 failed (2 not run) in 1 file')
  })

  it('rejects bad arguments with exit code 2 and the usage', async () => {
    for (const argv of [[], ['--timeout', 'soon', 'x.md'], ['--bogus', 'x.md'], ['no/such/file.md']]) {
      const { code, err } = await run(argv)
      expect(code).toBe(2)
      expect(err).toMatch(/^flowmark-docs doctest: .+\n\nUsage: flowmark-docs doctest/)
    }
    expect((await run(['--help'])).out).toContain('--update')
  })
})
