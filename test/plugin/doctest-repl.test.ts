// The transcript format equals the real Node REPL: the same inputs go through `node -i` and through runSession.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runSession } from '../../plugin/doctest/index.ts'

const repo = resolve(import.meta.dirname, '../..')
const node = existsSync(resolve(repo, 'node_modules/.bin/node')) ? resolve(repo, 'node_modules/.bin/node') : process.execPath

/** One-line statements whose REPL output is deterministic (no stack frames, no async ids). */
const statements = [
  '42',
  '0.1 + 0.2',
  '-0',
  '123n',
  "'abc'",
  `"it's"`,
  "'a\\nb'",
  'null',
  "Symbol('s')",
  '[1, 2, 3].map((x) => x * 2)',
  '[undefined, , 3]',
  '({ a: { b: { c: { d: 1 } } } })',
  "{ a: 1, b: 'two' }",
  "new Map([['a', 1]])",
  "new Set(['x', 'y'])",
  'Object.create(null)',
  'new Proxy({ a: 1 }, {})',
  'function f() {}',
  'f',
  'class Foo { constructor() { this.x = 1 } }',
  'new Foo()',
  'Foo',
  "Array.from({ length: 30 }, (_, i) => 'item' + i)",
  "({ alpha: 'aaaaaaaaaaaa', beta: 'bbbbbbbbbbbbbb', gamma: 'cccccccccccc', d: 'ddddddddd' })",
  "console.log('abc')",
  "console.log('a', { b: 1 }); 5",
  "console.log({ alpha: 'aaaaaaaaaaaaaaaa', beta: 'bbbbbbbbbbbbbbbbbbbb', gamma: 'cccccccccccccccccccc' })",
  'for (let i = 0; i < 3; i++) console.log(i)',
  "throw new Error('boom')",
  "throw 'str'",
  'throw { a: 1 }',
  'null.x',
  "JSON.parse('x')",
  "class MyErr extends Error { constructor(m) { super(m); this.name = 'MyErr'; this.code = 5 } }",
  "throw new MyErr('custom')",
  'new Date(0).toISOString()',
  "new Error('e').message",
  '[new Map([[{ k: 1 }, new Set([1])]])]',
  "'x'.repeat(100)",
  'if (true) { 5 }',
  '{ let inner = 1; inner + 1 }',
  '5; const y = 1',
  '7; function g() {}',
  '8; class K {}',
  'for (const i of [1, 2]) i * 10',
  'let z = 1; z',
  'try { 4 } finally {}',
  "switch (1) { case 1: 'one' }",
  'y + z',
  'typeof globalThis',
  'new Uint8Array([1, 2, 3])',
  'Object.assign(() => 1, { extra: true })',
  'new WeakMap()',
  '/ab+c/gi',
]

/** Runs the statements in a real `node -i` and returns what it printed for each, REPL quirks removed. */
function realRepl(inputs: readonly string[]): string[] {
  const result = spawnSync(node, ['-i'], {
    input: `${inputs.join('\n')}\n`,
    encoding: 'utf8',
    env: { ...process.env, NODE_NO_READLINE: '1', NO_COLOR: '1' },
  })
  const chunks = result.stdout.split('\n> ').slice(1)
  // The last chunk is the prompt waiting for more input.
  chunks.length = inputs.length
  return chunks.map((chunk) =>
    chunk
      .split('\n')
      .filter((line) => !/^\s+at /.test(line))
      .join('\n')
      .replace(/\n?undefined\n?$/, '')
      .replace(/\n$/, ''),
  )
}

describe('REPL fidelity', () => {
  it('prints every value, console line and error the way `node -i` does', async () => {
    const expected = realRepl(statements)
    expect(expected).toHaveLength(statements.length)
    expect(expected[0]).toBe('42')
    const code = statements.map((s, i) => [`> ${s}`, ...(expected[i] === '' ? [] : [expected[i]!])].join('\n')).join('\n')
    const report = await runSession({
      file: resolve(repo, 'fixtures/doctest-repl-formats/input.md'),
      blocks: [{ kind: 'transcript', id: 'repl', code, start: { line: 1, column: 1 }, flags: {} }],
    })
    const mismatches = report.examples
      .filter((e) => e.status !== 'passed')
      .map((e) => ({ source: e.source, expected: e.expected, actual: e.actual }))
    expect(mismatches).toEqual([])
    expect(report.passed).toBe(statements.length)
  })
})
