// Runs every TypeScript example of README.md and checks the values its `// =>` comments announce.
import { readFileSync } from 'node:fs'
import { stripTypeScriptTypes } from 'node:module'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import * as engine from '../../engine/index.ts'

// An interim harness: the doctest runner of the docs plugin will take over README checking once it exists.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
// Fences nested in a four-backtick fence (Markdown shown as an example) are the docs plugin's business:
// test/plugin/readme-markdown.test.ts runs those. Blank them out, keeping the line count.
const outer = readme.replace(/^````[\s\S]*?^````$/gm, (m) => m.replace(/[^\n]/g, ''))
const blocks = [...outer.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => ({
  code: m[1]!,
  line: outer.slice(0, m.index).split('\n').length + 1,
}))

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim()

/** Turns `expr // => expected` lines into checks; drops imports of the package itself (its exports are in scope). */
function transform(code: string, firstLine: number): string {
  return code
    .split('\n')
    .map((line, i) => {
      if (/^import .* from 'flowmark'$/.test(line.trim())) return ''
      const m = /^(.*?)\s*\/\/ => (.*)$/.exec(line)
      if (m === null) return line
      return `;__check((${m[1]}), ${JSON.stringify(m[2])}, ${firstLine + i})`
    })
    .join('\n')
}

describe('README.md examples', () => {
  it('has examples to run', () => expect(blocks.length).toBeGreaterThan(0))
  // The blocks share one scope, top to bottom, as a reader would run them.
  it('runs every block and every announced value matches', async () => {
    const checks: { line: number; expected: string; actual: string }[] = []
    const __check = (value: unknown, expected: string, line: number) => {
      checks.push({ line, expected: normalise(expected), actual: normalise(inspect(value, { depth: 4, breakLength: Infinity })) })
    }
    const body = blocks.map((b) => transform(b.code, b.line)).join('\n;\n')
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>
    const names = Object.keys(engine)
    const run = new AsyncFunction(...names, '__check', stripTypeScriptTypes(body))
    await run(...names.map((n) => (engine as Record<string, unknown>)[n]), __check)
    expect(checks.length).toBeGreaterThan(5)
    for (const c of checks)
      expect({ line: `README.md:${c.line}`, value: c.actual }).toEqual({ line: `README.md:${c.line}`, value: c.expected })
  })
})
