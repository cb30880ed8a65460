// The doctest engine's parts and session semantics: parser, flags, comparison, diffs, draws, timeouts, run-once.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { SessionBlock, SessionRequest } from '../../plugin/core/types.ts'
import {
  applyUpdates,
  compileUnit,
  firstSentence,
  formatThrown,
  listExamples,
  MAX_WORKERS,
  outputMatches,
  parseTranscript,
  runSession,
  unifiedDiff,
} from '../../plugin/doctest/index.ts'

const repo = resolve(import.meta.dirname, '../..')
const page = resolve(repo, 'fixtures/doctest-typescript/input.md')
const scratch = mkdtempSync(join(tmpdir(), 'flowmark-doctest-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const transcript = (code: string, line = 1, column = 1, id = `t${line}`): SessionBlock => ({
  kind: 'transcript',
  id,
  code,
  start: { line, column },
  flags: {},
})
const code = (kind: 'code' | 'setup' | 'cleanup', source: string, line: number, id = `${kind}${line}`): SessionBlock => ({
  kind,
  id,
  code: source,
  start: { line, column: 1 },
  lang: 'ts',
})
const session = (blocks: SessionBlock[], extra: Partial<SessionRequest> = {}): SessionRequest => ({ file: page, blocks, ...extra })

describe('parseTranscript', () => {
  it('splits prompts, continuations and expected output, with 0-based positions', () => {
    const t = parseTranscript(
      ['> const a = [', '...   1,', '... ]', '> a', '[ 1 ]', '', '> a.length  // doctest: +SKIP', '1', '', ''].join('\n'),
    )
    expect(t.problems).toEqual([])
    expect(t.statements.map((s) => [s.line, s.lineCount, s.text, s.expected, s.outputLine, s.outputLineCount])).toEqual([
      [0, 3, 'const a = [\n  1,\n]', '', 3, 0],
      [3, 1, 'a', '[ 1 ]', 4, 1],
      [6, 1, 'a.length  // doctest: +SKIP', '1', 7, 1],
    ])
    // Prompts become spaces, so columns in the code are the columns in the block.
    expect(t.statements[0]!.source).toBe('  const a = [\n      1,\n    ]')
    expect(t.statements[2]!.flags).toEqual({ skip: true })
    expect(t.statements[2]!.source).toBe('  a.length'.padEnd(29, ' '))
  })

  it('reads `...` after output as output (for ELLIPSIS), and keeps blank lines inside output', () => {
    const t = parseTranscript('> big\n[\n...\n\n]\n> 1')
    expect(t.statements[0]!.expected).toBe('[\n...\n\n]')
    expect(t.statements[1]!.text).toBe('1')
  })

  it('reports text before the first prompt and unknown flags', () => {
    const t = parseTranscript('oops\n> 1 // doctest: +FOO -SKIP\n1')
    expect(t.problems.map((p) => [p.rule, p.line, p.column])).toEqual([
      ['doctest-syntax', 0, 0],
      ['doctest-flag', 1, 4],
    ])
    expect(t.problems[1]!.message).toContain('`+FOO`')
    expect(t.statements[0]!.flags).toEqual({ skip: false })
  })
})

describe('outputMatches and unifiedDiff', () => {
  it('applies each flag', () => {
    expect(outputMatches("'a...z'", "'abcz'", {})).toBe(false)
    expect(outputMatches("'a...z'", "'abcz'", { ellipsis: true })).toBe(true)
    expect(outputMatches('[\n...\n]', '[\n  1,\n  2\n]', { ellipsis: true })).toBe(true)
    expect(outputMatches('a ...', 'b c', { ellipsis: true })).toBe(false)
    expect(outputMatches('{ a: 1,\n  b: 2 }', '{ a: 1, b: 2 }', {})).toBe(false)
    expect(outputMatches('{ a: 1,\n  b: 2 }', '{ a: 1, b: 2 }', { normalizeWhitespace: true })).toBe(true)
    expect(outputMatches('log\nUncaught TypeError: old text', 'log\nUncaught TypeError: new text', { ignoreExceptionDetail: true })).toBe(
      true,
    )
    expect(outputMatches('Uncaught TypeError: x', 'Uncaught RangeError: x', { ignoreExceptionDetail: true })).toBe(false)
    expect(outputMatches('other\nUncaught TypeError: x', 'log\nUncaught TypeError: x', { ignoreExceptionDetail: true })).toBe(false)
    expect(outputMatches('Uncaught [E: a] { c: 1 }', 'Uncaught [E: b] { c: 2 }', { ignoreExceptionDetail: true })).toBe(true)
    // Stack frames under an Uncaught line (as a pasted REPL session has them) are not compared.
    expect(outputMatches('Uncaught Error: rej\n    at REPL11:1:54\nafter', 'Uncaught Error: rej\nafter', {})).toBe(true)
    expect(outputMatches('Uncaught Error: rej\n    at REPL11:1:54', 'Uncaught Error: other', {})).toBe(false)
    // Trailing whitespace and trailing blank lines never matter.
    expect(outputMatches('1  \n\n', '1', {})).toBe(true)
  })

  it('writes a unified diff, - expected and + actual, with context', () => {
    expect(unifiedDiff('a\nb\nc', 'a\nB\nc')).toBe('--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c')
    expect(unifiedDiff('', 'x')).toBe('--- expected\n+++ actual\n@@ -0,0 +1,1 @@\n+x')
    expect(unifiedDiff('same', 'same')).toBe('')
    const long = Array.from({ length: 20 }, (_, i) => `l${i}`)
    const changed = long.map((l, i) => (i === 2 || i === 17 ? `${l}!` : l))
    const diff = unifiedDiff(long.join('\n'), changed.join('\n'))
    expect(diff.match(/^@@/gm)).toHaveLength(2)
    expect(diff).toContain('@@ -1,6 +1,6 @@')
    expect(diff).toContain('@@ -15,6 +15,6 @@')
  })

  it('stays short on huge outputs, replacing the whole middle when the texts are too different to align', () => {
    const a = Array.from({ length: 5_000 }, (_, i) => `a${i}`).join('\n')
    const b = Array.from({ length: 5_000 }, (_, i) => `b${i}`).join('\n')
    const diff = unifiedDiff(`same\n${a}\nend`, `same\n${b}\nend`)
    const lines = diff.split('\n')
    expect(lines).toHaveLength(403)
    expect(lines.slice(2, 5)).toEqual(['@@ -1,5002 +1,5002 @@', ' same', '-a0'])
    expect(lines.at(-1)).toBe('… 9603 more diff lines')
  })

  it('aligns long outputs with few changes (jsdiff), hunk by hunk', () => {
    const long = Array.from({ length: 3_000 }, (_, i) => `line ${i}`)
    const changed = [...long.slice(0, 1000), 'inserted', ...long.slice(1000, 2500), ...long.slice(2501)]
    expect(unifiedDiff(long.join('\n'), changed.join('\n')).split('\n').slice(2)).toEqual([
      '@@ -998,6 +998,7 @@',
      ' line 997',
      ' line 998',
      ' line 999',
      '+inserted',
      ' line 1000',
      ' line 1001',
      ' line 1002',
      '@@ -2498,7 +2499,6 @@',
      ' line 2497',
      ' line 2498',
      ' line 2499',
      '-line 2500',
      ' line 2501',
      ' line 2502',
      ' line 2503',
    ])
    expect(unifiedDiff('a\n\nb', 'a\n \nb')).toBe('--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n a\n-⏎ (empty line)\n+·\n b')
  })
})

describe('compileUnit', () => {
  it('hoists declarations and imports, strips types, keeps lines', () => {
    const unit = compileUnit(
      '  const { a, b: [c] }: T = o, d: number = 1\n  import x, { y as z } from "./m.ts"\n  class K {}\n  function f() {}\n  a + d',
      { wantsValue: true },
    )
    expect(unit.ok).toBe(true)
    if (!unit.ok) return
    expect(unit.declared).toEqual(['a', 'c', 'd', 'x', 'z', 'K', 'f'])
    const lines = unit.script.split('\n')
    // Wrapper line, then exactly the unit's five lines, then the closing line and the hoisted names.
    expect(lines).toHaveLength(8)
    expect(lines[1]).toBe('  ;     ({ a, b: [c] }    = o), (d         = 1)')
    expect(lines[2]).toContain('({ default: x, y: z } = await import("./m.ts"))')
    expect(lines[3]).toContain('K = class K {}')
    expect(lines[5]).toContain('return { value: (a + d) }')
    expect(lines[7]).toBe(';var a, c, d, x, z, K;')
  })

  it('reports syntax errors and non-erasable TypeScript at their position', () => {
    expect(compileUnit('const x =', { wantsValue: true })).toMatchObject({ ok: false, line: 0, column: 9 })
    const enumUnit = compileUnit('enum E { A }', { wantsValue: true })
    expect(enumUnit.ok).toBe(false)
    if (!enumUnit.ok) expect(enumUnit.message).toMatch(/enum.*erasable/s)
  })
})

describe('formatThrown', () => {
  it('prints errors like the REPL: no stack, brackets kept only with extra properties', () => {
    expect(formatThrown(new TypeError('bad'))).toBe('Uncaught TypeError: bad')
    expect(formatThrown(Object.assign(new Error('x'), { code: 1 }))).toBe('Uncaught [Error: x] { code: 1 }')
    expect(formatThrown(new Error('outer', { cause: new Error('inner') }))).toBe('Uncaught [Error: outer] { [cause]: [Error: inner] }')
    expect(formatThrown('text')).toBe("Uncaught 'text'")
    expect(formatThrown(undefined)).toBe('Uncaught undefined')
  })
})

describe('runSession', () => {
  it('runs every block once, in order, in one scope, and cleanup after failures', async () => {
    const log = join(scratch, 'once.log')
    const append = (what: string): string =>
      `(await import('node:fs')).appendFileSync(${JSON.stringify(log)}, ${JSON.stringify(`${what}\n`)})`
    const report = await runSession(
      session([
        code('setup', `let counter = 0\ncounter++\n${append('setup')}`, 10),
        transcript(`> ${append('first')}; counter\n1`, 20),
        { kind: 'draw', id: 'd1', name: 'model', start: { line: 25, column: 1 }, plotOptions: {}, tables: [] },
        transcript(`> ${append('failing')}; counter\n99`, 30),
        code('code', `${append('code')}\nthrow new Error('block failed')`, 40),
        { kind: 'draw', id: 'd2', name: 'counter', start: { line: 45, column: 1 }, plotOptions: {}, tables: [] },
        code('cleanup', append('cleanup'), 50),
        transcript('> counter\n1', 60),
      ]),
    )
    expect(readFileSync(log, 'utf8')).toBe('setup\nfirst\nfailing\ncode\ncleanup\n')
    expect(report.examples.map((e) => `${e.start.line} ${e.status}`)).toEqual([
      '10 passed',
      '20 passed',
      '25 failed',
      '30 failed',
      '40 failed',
      '45 failed',
      '50 passed',
      '60 passed',
    ])
    expect(report.diagnostics.map((d) => `${d.start.line}:${d.start.column} ${d.rule}`)).toEqual([
      '25:1 doctest-draw',
      '30:1 doctest-mismatch',
      '41:7 doctest-error',
      '45:1 doctest-draw',
    ])
    expect(report.diagnostics[0]!.message).toContain('`model`')
    expect(report.diagnostics[0]!.message).toContain('is not defined')
    expect(report.diagnostics[2]!.message).toBe('The code block starting at line 40 threw Error: block failed.\n' + `    at ${page}:41:7`)
    expect(report.diagnostics[3]!.message).toBe(
      'Cannot draw `counter`: it is a number (1), but a draw block needs a Dispatcher or a Solution (a value with a plot() method).',
    )
    expect(report.diagnostics[1]).toMatchObject({ expected: '99', actual: '1', diff: '--- expected\n+++ actual\n@@ -1,1 +1,1 @@\n-99\n+1' })
    expect({ passed: report.passed, failed: report.failed, skipped: report.skipped }).toEqual({ passed: 4, failed: 4, skipped: 0 })
  })

  it('reports positions inside indented blocks and multi-line statements', async () => {
    const report = await runSession(session([transcript('> 1\n1\n> [\n...   2,\n... ].length\n2\n>    undefinedName', 100, 5)]))
    expect(report.examples.map((e) => `${e.start.line}:${e.start.column}`)).toEqual(['100:5', '102:5', '106:5'])
    expect(report.diagnostics.map((d) => `${d.start.line}:${d.start.column} ${d.rule}`)).toEqual([
      '102:5 doctest-mismatch',
      '106:5 doctest-error',
    ])
    expect(report.diagnostics[1]!.message).toContain('ReferenceError: undefinedName is not defined')
  })

  it('maps stack columns back to the page (declarations, indentation)', async () => {
    const report = await runSession(
      session([
        { kind: 'code', id: 'c', code: 'let ok = 1\nconst bad: number = nothing.deep', start: { line: 10, column: 3 }, lang: 'ts' },
        transcript('> const also: string = missing', 20, 5),
        transcript('> ok; gone', 30, 1),
        code('code', "function explode(): never {\n  throw new Error('from an earlier block')\n}", 40),
        code('code', 'let q = 1\nexplode()', 50),
      ]),
    )
    expect(report.diagnostics.map((d) => `${d.start.line}:${d.start.column} ${d.rule}`)).toEqual([
      '11:23 doctest-error',
      '20:5 doctest-error',
      '30:1 doctest-error',
      '51:1 doctest-error',
    ])
    expect(report.diagnostics[0]!.message).toContain(`at ${page}:11:23`)
    expect(report.diagnostics[1]!.message).toContain(`at ${page}:20:28`)
    expect(report.diagnostics[2]!.message).toContain(`at ${page}:30:7`)
    // A failure inside a function from an earlier block is reported where this block called it.
    expect(report.diagnostics[3]!.message).toBe(
      `The code block starting at line 50 threw Error: from an earlier block.\n    at explode (${page}:41:9)\n    at ${page}:51:1`,
    )
  })

  it('reads `{ … } // doctest: FLAGS` as an object literal', async () => {
    const report = await runSession(session([transcript("> { a: 1, b: 'x' } // doctest: +NORMALIZE_WHITESPACE\n{ a: 1,\n  b: 'x' }")]))
    expect(report.examples.map((e) => [e.status, e.actual])).toEqual([['passed', "{ a: 1, b: 'x' }"]])
  })

  it('merges page, block and statement flags', async () => {
    const block: SessionBlock = {
      kind: 'transcript',
      id: 't',
      code: "> 'abc'\n'a...'\n> 'abc' // doctest: -ELLIPSIS\n'a...'",
      start: { line: 1, column: 1 },
      flags: { ellipsis: true },
    }
    const report = await runSession(session([block], { flags: { ellipsis: false, skip: false } }))
    expect(report.examples.map((e) => e.status)).toEqual(['passed', 'failed'])
    const skipped = await runSession(session([block], { flags: { skip: true } }))
    expect(skipped.examples.map((e) => e.status)).toEqual(['skipped', 'skipped'])
    expect(skipped.skipped).toBe(2)
  })

  it('stops an endless loop at the timeout and reports the rest as not run', async () => {
    const report = await runSession(
      session([transcript('> let n = 0\n> while (true) { n++ }\n> n\n0', 1), code('cleanup', 'n = -1', 10)], { timeout: 300 }),
    )
    expect(report.examples.map((e) => e.status)).toEqual(['passed', 'failed', 'not-run', 'not-run'])
    expect(report.diagnostics.map((d) => `${d.start.line} ${d.severity} ${d.rule}`)).toEqual([
      '2 error doctest-timeout',
      '3 warning doctest-not-run',
    ])
    expect(report.diagnostics[0]!.message).toBe(
      "`> while (true) { n++ }` did not finish within 300 ms (an endless loop, or a promise that never settles?). The page's session was stopped. Make the example finish, or raise the limit (`--timeout`, `timeout` option).",
    )
    expect(report.diagnostics[1]!.message).toContain('2 later examples were not run')
  })

  it('stops a promise kept pending by a timer at the timeout, and one nothing can settle at once', async () => {
    // The outcomes tell how each ended: at the 300 ms limit (not when the 60 s timer fired), and at once for the
    // promise nothing can settle (its message is not the timeout's, whose 60 s limit would outlast the test).
    const pending = await runSession(session([transcript('> await new Promise((r) => setTimeout(r, 60_000))\n> 1\n1')], { timeout: 300 }))
    expect(pending.diagnostics[0]).toMatchObject({ rule: 'doctest-timeout', start: { line: 1, column: 1 } })
    expect(pending.diagnostics[0]!.message).toContain('did not finish within 300 ms')
    const never = await runSession(session([transcript('> await new Promise(() => {})\n> 1\n1')], { timeout: 60_000 }))
    expect(never.diagnostics[0]).toMatchObject({ rule: 'doctest-timeout' })
    expect(never.diagnostics[0]!.message).toContain('can never settle')
    expect(never.diagnostics[0]!.message).not.toContain('60000 ms')
  })

  it('reports process.exit() as the end of the session', async () => {
    const report = await runSession(session([transcript('> 1\n1\n> process.exit(3)\n> 2\n2', 5)]))
    expect(report.examples.map((e) => e.status)).toEqual(['passed', 'failed', 'not-run'])
    expect(report.diagnostics.map((d) => [d.start.line, d.rule, d.message])).toEqual([
      [7, 'doctest-crash', "`> process.exit(3)` called process.exit(3), which ended the page's session."],
      [
        8,
        'doctest-not-run',
        "1 later example was not run, because the page's session was stopped at line 7 (its variables are gone). Fix that example and run again.",
      ],
    ])
  })

  it('draws a plottable value: plot JSON and node tables cross the thread as plain data', async () => {
    const model = [
      'const calls: unknown[] = []',
      'const fake = {',
      "  description: 'A fake model. It only has a plot method.',",
      '  plot(options: unknown) {',
      '    calls.push(options)',
      '    const nodes = [',
      "      { dotId: 'n0', label: 'a', kind: 'data', description: 'First value, e.g. a number. More text.', page: undefined, state: undefined },",
      "      { dotId: 'n1', label: 'f', kind: 'function', description: 'Computes b.\\n\\nDetails.', page: undefined, state: undefined },",
      "      { dotId: 'n2', label: 'S', kind: 'dispatcher', description: undefined, page: 'S', state: undefined },",
      "      { dotId: 'n3', label: 'start', kind: 'start', description: undefined, page: undefined, state: undefined },",
      '    ]',
      "    const pages = [{ path: '', title: 'fake', kind: 'dmap', parent: undefined, dot: 'digraph {}', engine: 'dot', nodes }]",
      '    return { pages, page: (p: string) => pages.find((x) => x.path === p), toJSON: () => ({ pages }) }',
      '  },',
      '}',
    ].join('\n')
    const report = await runSession(
      session([
        code('code', model, 1),
        {
          kind: 'draw',
          id: 'draw-fake',
          name: 'fake',
          start: { line: 20, column: 1 },
          plotOptions: { depth: 1 },
          tables: ['data', 'func', 'dsp'],
        },
        transcript("> calls\n[ { caption: 'title', depth: 1 } ]", 30),
      ]),
    )
    expect(report.diagnostics).toEqual([])
    const draw = report.draws.get('draw-fake')!
    expect(draw.title).toBe('fake')
    expect(draw.description).toBe('A fake model. It only has a plot method.')
    expect(draw.plot.pages[0]!.dot).toBe('digraph {}')
    expect(draw.tables).toEqual({
      data: [{ id: 'a', description: 'First value, e.g. a number.' }],
      func: [{ id: 'f', description: 'Computes b.' }],
      dsp: [{ id: 'S', description: '' }],
    })
  })

  it('draws a real Dispatcher, also imported from a module with `from`', async () => {
    const report = await runSession(
      session([
        code(
          'code',
          "import { Dispatcher } from 'flowmark'\nconst dsp = new Dispatcher({ name: 'real', description: 'Real model.' })\ndsp.addFunction({ id: 'f', fn: (a: number) => a, inputs: ['a'], outputs: ['b'], description: 'Identity.' })",
          1,
        ),
        { kind: 'draw', id: 'real', name: 'dsp', start: { line: 9, column: 1 }, plotOptions: {}, tables: ['func'] },
        { kind: 'draw', id: 'solution', name: 'dsp.dispatch({ a: 1 })', start: { line: 10, column: 1 }, plotOptions: {}, tables: [] },
        { kind: 'draw', id: 'missing', name: 'nothing', from: './helper.ts', start: { line: 12, column: 1 }, plotOptions: {}, tables: [] },
        { kind: 'draw', id: 'notplot', name: 'greet', from: './helper.ts', start: { line: 14, column: 1 }, plotOptions: {}, tables: [] },
      ]),
    )
    const draw = report.draws.get('real')!
    expect(draw.plot.pages[0]!.kind).toBe('dmap')
    expect(draw.plot.pages[0]!.dot).toMatch(/^(strict )?digraph/)
    expect(draw.tables.func).toEqual([{ id: 'f', description: 'Identity.' }])
    expect(draw.description).toBe('Real model.')
    const solution = report.draws.get('solution')!
    expect(solution.plot.pages[0]!.kind).toBe('workflow')
    expect(solution.description).toBe('Real model.')
    expect(report.diagnostics.map((d) => [d.start.line, d.message])).toEqual([
      [12, 'Module `./helper.ts` has no export `nothing` (its exports: `default`, `greet`).'],
      [
        14,
        'Cannot draw `greet`: it is a function (greet), but a draw block needs a Dispatcher or a Solution (a value with a plot() method).',
      ],
    ])
  })

  it('lists the examples in report order before running', async () => {
    const request = session([
      code('setup', 'let a = 1', 1),
      transcript('> a\n1\n> a + 1 // doctest: +SKIP\n3', 5),
      { kind: 'draw', id: 'd', name: 'a', start: { line: 9, column: 1 }, plotOptions: {}, tables: [] },
    ])
    const planned = listExamples(request)
    const report = await runSession(request)
    expect(planned.map((p) => [p.kind, p.start.line, p.skip])).toEqual([
      ['code', 1, false],
      ['statement', 5, false],
      ['statement', 7, true],
      ['draw', 9, false],
    ])
    expect(report.examples.map((e) => [e.kind, e.start.line])).toEqual(planned.map((p) => [p.kind, p.start.line]))
  })

  it('--update splices actual output into the page, keeping indentation', async () => {
    const markdown = ['# t', '', '- item', '', '  ```ts', '  > 1 + 1', '  3', '  > [1, 2]', '  > "ok"', "  'ok'", '  ```', ''].join('\n')
    const request = session([transcript('> 1 + 1\n3\n> [1, 2]\n> "ok"\n\'ok\'', 6, 3)])
    const report = await runSession(request)
    expect(report.failed).toBe(2)
    const { text, updated } = applyUpdates(markdown, report.examples)
    expect(updated).toBe(2)
    expect(text).toBe(
      ['# t', '', '- item', '', '  ```ts', '  > 1 + 1', '  2', '  > [1, 2]', '  [ 1, 2 ]', '  > "ok"', "  'ok'", '  ```', ''].join('\n'),
    )
    // Output that would read as a prompt is not written.
    const prompt = await runSession(session([transcript("> console.log('> not a prompt')", 1)]))
    expect(applyUpdates('> x', prompt.examples).updated).toBe(0)
  })
})

describe('firstSentence', () => {
  it('takes the first sentence of the first paragraph', () => {
    expect(firstSentence('One. Two.')).toBe('One.')
    expect(firstSentence('Uses e.g. numbers. Then more.')).toBe('Uses e.g. numbers.')
    expect(firstSentence('No stop\nat all')).toBe('No stop at all')
    expect(firstSentence(undefined)).toBe('')
  })
})

describe('concurrent sessions', () => {
  it('pages run concurrently, each in its own scope', async () => {
    // Two more pages than session workers (so some wait for a slot and run on a worker another page left), at most
    // the 12 this test always ran: each page costs a session, ~0.3 s of a loaded 2-core machine.
    const count = Math.min(12, MAX_WORKERS + 2)
    const pages = Array.from({ length: count }, (_, i) =>
      runSession(session([transcript(`> const mine = ${i}\n> await new Promise((r) => setTimeout(r, 20)); mine\n${i}`)])),
    )
    const reports = await Promise.all(pages)
    expect(reports.map((r) => r.passed)).toEqual(Array.from({ length: count }, () => 2))
  })
})
