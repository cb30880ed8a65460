// Doctest faults of issue #16: --update never loses a page or an edit, late async errors, heap limit, empty runs.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import remarkDirective from 'remark-directive'
import remarkParse from 'remark-parse'
import { unified } from 'unified'
import { lintPage } from '../../plugin/core/lint.ts'
import type { SessionBlock, SessionRequest } from '../../plugin/core/types.ts'
import { main, DOCTEST_USAGE } from '../../plugin/doctest/cli.ts'
import { applyUpdates, runSession, type ExampleResult } from '../../plugin/doctest/index.ts'

const repo = resolve(import.meta.dirname, '../..')
const node = join(repo, 'node_modules/.bin/node')
const work = mkdtempSync(join(tmpdir(), 'flowmark-doctest-safety-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

async function run(argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string }> {
  let out = ''
  const write = (t: string): void => {
    out += t
  }
  const code = await main(argv, { cwd: work, env, stdout: { write }, stderr: { write } })
  return { code, out }
}

const transcript = (code: string, line = 3): SessionBlock => ({
  kind: 'transcript',
  id: `t${line}`,
  code,
  start: { line, column: 1 },
  flags: {},
})
const session = (blocks: SessionBlock[], extra: Partial<SessionRequest> = {}): SessionRequest => ({
  file: join(work, 'session.md'),
  blocks,
  ...extra,
})
const brief = (examples: readonly ExampleResult[]) => examples.map((e) => [e.start.line, e.status, e.diagnostic?.rule])

describe('--update never loses the page', () => {
  it('a Ctrl-C while the page is being written leaves the old page whole and no temporary file', async () => {
    const folder = join(work, 'sigint')
    mkdirSync(folder)
    const page = join(folder, 'page.md')
    // Large enough that writing it takes a while: the signal arrives while the new text is on its way to disk.
    const filler = `${'x'.repeat(999)}\n`.repeat(8_000)
    const original = `# big\n\n\`\`\`ts\n> 1 + 1\n3\n\`\`\`\n\n\`\`\`text\n${filler}\`\`\`\n`
    writeFileSync(page, original)
    const child = spawn(node, ['--conditions=source', join(repo, 'plugin/cli.ts'), 'doctest', '--update', page], { stdio: 'ignore' })
    const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
      child.on('exit', (code, signal) => done({ code, signal })),
    )
    // The first change in the folder is the write beginning (a temporary file, or the page itself): interrupt it.
    let interrupted = false
    const watcher = watch(folder, () => {
      if (!interrupted) child.kill('SIGINT')
      interrupted = true
    })
    const { code, signal } = await exited
    watcher.close()
    expect(interrupted && (signal === 'SIGINT' || code === 130)).toBe(true)
    // The page is the old one (or, had the rename won the race, the whole new one): never a part of either.
    expect([original, original.replace('> 1 + 1\n3\n', '> 1 + 1\n2\n')]).toContain(readFileSync(page, 'utf8'))
    expect(readdirSync(folder)).toEqual(['page.md'])
  }, 120_000)

  it('an edit saved while the examples ran is kept, and reported at the page', async () => {
    const page = join(work, 'edited.md')
    // The example itself edits its page, as an author saving in the middle of the run would.
    writeFileSync(
      page,
      `# page\n\n\`\`\`ts\n> require('node:fs').appendFileSync(${JSON.stringify(page)}, '\\nA paragraph saved during the run.\\n'); 1 + 1\n3\n\`\`\`\n`,
    )
    const { code, out } = await run(['--update', page])
    expect(code).toBe(1)
    expect(out).toContain('edited.md:1:1 error edited.md: changed during the run, not updated (your edit is kept).')
    expect(out).toContain('[doctest-update-conflict]')
    expect(out).not.toContain('updated 1 example')
    const after = readFileSync(page, 'utf8')
    expect(after).toContain('\n3\n```\n')
    expect(after.endsWith('\nA paragraph saved during the run.\n')).toBe(true)
  })

  it("keeps the BOM, each line's ending and the file mode", async () => {
    const page = join(work, 'mixed.md')
    writeFileSync(page, '\uFEFF# mixed\r\n\r\n```ts\r\n> [1, 2].map((x) => x * 2)\r\n[ 0 ]\n> 1\n1\r\n```\n', { mode: 0o640 })
    const { code, out } = await run(['--update', page])
    expect(out).toContain('updated 1 example in mixed.md')
    expect(code).toBe(0)
    expect(readFileSync(page, 'utf8')).toBe('\uFEFF# mixed\r\n\r\n```ts\r\n> [1, 2].map((x) => x * 2)\r\n[ 2, 4 ]\n> 1\n1\r\n```\n')
    const { statSync } = await import('node:fs')
    expect(statSync(page).mode & 0o777).toBe(0o640)
  })

  it('applyUpdates gives new lines the ending of the lines they replace', () => {
    const failed = (first: number, count: number, actual: string): ExampleResult => ({
      blockId: 't',
      kind: 'statement',
      start: { line: first - 1, column: 1 },
      source: 'x',
      status: 'failed',
      expected: 'old',
      actual,
      expectedLines: { first, count },
      indent: 1,
    })
    expect(applyUpdates('> a\r\nold\r\n> b\nold\n', [failed(2, 1, 'one\ntwo'), failed(4, 1, 'three')]).text).toBe(
      '> a\r\none\r\ntwo\r\n> b\nthree\n',
    )
    expect(applyUpdates('> a\r\n> b\n', [failed(2, 0, 'new')]).text).toBe('> a\r\nnew\n> b\n')
    expect(applyUpdates('> a\nold', [failed(2, 1, '')]).text).toBe('> a\n')
  })

  it('refuses to rewrite a page that is not valid UTF-8', async () => {
    const page = join(work, 'latin1.md')
    const bytes = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\n\n```ts\n> 1 + 1\n3\n```\n')])
    writeFileSync(page, bytes)
    const { code, out } = await run(['--update', page])
    expect(code).toBe(1)
    expect(out).toContain('[doctest-update-encoding]')
    expect(readFileSync(page).equals(bytes)).toBe(true)
  })
})

describe('asynchronous errors fail the statement that scheduled them', () => {
  it('a timer that throws after its statement returned: that statement fails, the next one passes', async () => {
    for (let k = 0; k < 3; k++) {
      const report = await runSession(
        session([transcript('> setTimeout(() => { throw new Error("timer boom") }, 0); 5\n5\n> "after"\n\'after\'')]),
      )
      expect(brief(report.examples)).toEqual([
        [3, 'failed', 'doctest-async-error'],
        [5, 'passed', undefined],
      ])
      expect(report.diagnostics[0]!.message).toContain('threw Error: timer boom after the example had finished')
      expect(report.diagnostics[0]!.message).toMatch(/at Timeout\._onTimeout \(.*session\.md:3:28\)/)
    }
  })

  it('a timer or rejection of the last statement fails the page within the grace period', async () => {
    const timer = await runSession(session([transcript('> 5\n5\n> setTimeout(() => { throw new Error("late") }, 50); 6\n6')]))
    expect(brief(timer.examples)).toEqual([
      [3, 'passed', undefined],
      [5, 'failed', 'doctest-async-error'],
    ])
    const rejection = await runSession(
      session([transcript('> 5\n5\n> void new Promise((_, reject) => setTimeout(() => reject(new Error("no")), 20)); 6\n6')]),
    )
    expect(brief(rejection.examples)).toEqual([
      [3, 'passed', undefined],
      [5, 'failed', 'doctest-async-error'],
    ])
  })

  it('a process.exit() from a timer of the last statement is a crash at that statement', async () => {
    const report = await runSession(session([transcript('> 5\n5\n> setTimeout(() => process.exit(0)); 6\n6')]))
    expect(brief(report.examples)).toEqual([
      [3, 'passed', undefined],
      [5, 'failed', 'doctest-crash'],
    ])
  })

  it("an error of the running statement's own callback is its output, as in the REPL", async () => {
    const report = await runSession(
      session([
        transcript(
          '> await new Promise((resolve) => { setTimeout(() => { throw new Error("own") }); setTimeout(resolve, 30) })\nUncaught Error: own',
        ),
      ]),
    )
    expect(brief(report.examples)).toEqual([[3, 'passed', undefined]])
  })
})

describe('memory', () => {
  it('an example that exhausts the heap fails at its line with doctest-out-of-memory; the process goes on', async () => {
    const report = await runSession(
      session([transcript('> 1 + 1\n2\n> { const a: number[][] = []; while (true) a.push(new Array(1e6).fill(1.5)) }\n> 2\n2')], {
        maxMemoryMb: 64,
        timeout: 60_000,
      }),
    )
    expect(brief(report.examples)).toEqual([
      [3, 'passed', undefined],
      [5, 'failed', 'doctest-out-of-memory'],
      [6, 'not-run', undefined],
    ])
    expect(report.diagnostics[0]!.message).toContain('reached its heap limit of 64 MB')
    // This process is still here, and a new session runs.
    expect((await runSession(session([transcript('> 3\n3')]))).passed).toBe(1)
  }, 120_000)

  it('a page larger than --max-page-size is a page error, not a parse', async () => {
    const page = join(work, 'huge.md')
    writeFileSync(page, `# huge\n\n\`\`\`ts\n> 1\n1\n\`\`\`\n\n${'a'.repeat(99)}\n`.padEnd(1_200_000, 'b'))
    const { code, out } = await run(['--max-page-size', '1', page])
    expect(code).toBe(1)
    expect(out).toMatch(
      /^huge\.md:1:1 error huge\.md is 1\.1 MB, more than the 1 MB a page may have; it was not run\. .*\[doctest-page-too-large\]$/m,
    )
    expect(out).toContain('warning: no example was checked in 1 file: 1 page could not be run.')
  })
})

describe('a run that checks nothing', () => {
  const page = join(work, 'tab.md')
  writeFileSync(page, '# tab after prompt\n\n```ts\n>\t1 + 1\n3\n```\n')

  it('the look-alike prompt is a lint warning at its line', () => {
    const md = '# p\n\n```ts\n> 1\n1\n>\u00a02\n2\n```\n\n```ts\n>\t1 + 1\n```\n'
    const root = unified().use(remarkParse).use(remarkDirective).parse(md)
    const found = lintPage(root, { path: 'p.md', source: md })
    expect(found.map((d) => [d.start.line, d.start.column, d.rule])).toEqual([
      [6, 1, 'lint-prompt'],
      [11, 1, 'lint-prompt'],
    ])
    expect(found[0]!.message).toMatch(/^`>` is followed by a no-break space, not a space, so this line is read as expected output/)
    expect(found[1]!.message).toMatch(/^`>` is followed by a tab, not a space, so this fence is not a transcript/)
  })

  it('says so; fails with --strict or CI, passes with --no-strict', async () => {
    const plain = await run([page])
    expect(plain.out).toContain('tab.md:4:1 warning `>` is followed by a tab')
    expect(plain.out).toContain('warning: no example was checked in 1 file')
    expect(plain.code).toBe(0)
    expect((await run(['--strict', page])).code).toBe(1)
    expect((await run([page], { CI: 'true' })).code).toBe(1)
    expect((await run(['--no-strict', page], { CI: 'true' })).code).toBe(0)
    expect((await run([page], { CI: 'false' })).code).toBe(0)
  })

  it('--help documents the exit codes and every option', async () => {
    for (const option of ['--update', '--timeout', '--grace', '--max-memory', '--max-page-size', '--strict', 'Exit codes:', 'CI']) {
      expect(DOCTEST_USAGE).toContain(option)
    }
    const bad = await run(['--max-memory', 'lots', page])
    expect(bad.code).toBe(2)
    expect(bad.out).toContain("--max-memory needs a whole number of megabytes (at least 16), got 'lots'.")
  })
})
