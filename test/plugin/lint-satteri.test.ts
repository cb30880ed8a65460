// The core and the lint on trees parsed by Sätteri (Astro 7's default processor): same ids, and its own gotchas.
import type { Root } from 'mdast'
import { markdownToMdast } from 'satteri'
import { describe, expect, test } from 'vitest'
import { pageSession, treeSession } from '../../plugin/core/page.ts'

const satteri = (md: string) =>
  treeSession(markdownToMdast(md, { features: { directive: true }, position: true }) as Root, { path: 'p.md', source: md })
const brief = (md: string) => satteri(md).diagnostics.map((d) => `${d.start.line}:${d.start.column} ${d.rule}`)

describe('Sätteri trees', () => {
  test('a regular page gives the same session as remark (ids, kinds, starts, code)', () => {
    const md = [
      '# Page',
      '',
      '```ts',
      '> 1 + 1',
      '2',
      '```',
      '',
      ':::testsetup',
      '```ts',
      'const a = 1',
      '```',
      ':::',
      '',
      '- item',
      '',
      '  :::dispatcher{name=dsp code depth=1}',
      '  ```ts',
      '  const dsp = 1',
      '  ```',
      '  :::',
      '',
      '::dispatcher{from="./m.ts" name=model engine=neato}',
      '',
    ].join('\n')
    const fromSatteri = satteri(md)
    expect(fromSatteri.diagnostics).toEqual([])
    expect(fromSatteri.request).toEqual(pageSession(md, 'p.md').request)
    expect(fromSatteri.request.blocks.map((b) => b.id)).toEqual(['transcript@3:1', 'setup@9:1', 'code@17:3', 'draw@16:3', 'draw@22:1'])
  })

  test('`}` inside a quoted value: Sätteri drops the directive; the lint says why', () => {
    const [d] = satteri(`::dispatcher{name=run opt='{"ghostUnreached": true}'}`).diagnostics
    expect(d).toMatchObject({ rule: 'lint-unparsed-directive', start: { line: 1, column: 1 } })
    expect(d?.message).toContain("Sätteri (Astro's default Markdown processor) ends the attributes at the first `}`")
    expect(d?.message).toContain('Portable form: `::dispatcher{name=run opt.ghostUnreached=true}`')
  })

  test('opt.<option> attributes parse the same under Sätteri and remark', () => {
    const md = `::dispatcher{name=run opt.ghostUnreached opt.graph.ratio=1}`
    const { request, diagnostics } = satteri(md)
    expect(diagnostics).toEqual([])
    expect(request).toEqual(pageSession(md, 'p.md').request)
    expect(request.blocks[0]).toMatchObject({ plotOptions: { ghostUnreached: true, graph: { ratio: 1 } } })
  })

  test('a space before `{`: Sätteri keeps the directive but drops its attributes; both problems are reported', () => {
    expect(brief(':::dispatcher {name=x}\n:::')).toEqual(['1:1 directive-name', '1:1 lint-space-before-brace'])
  })

  test('a `:::` line inside a fence does not close the container under Sätteri: no lint, the code is collected whole', () => {
    const md = ':::dispatcher{name=a}\n```ts\nconst s = `\n:::\n`\n```\n:::'
    const { diagnostics, request } = satteri(md)
    expect(diagnostics).toEqual([])
    expect(request.blocks[0]).toMatchObject({ kind: 'code', code: 'const s = `\n:::\n`' })
  })
})
