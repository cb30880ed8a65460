// The authoring lint against the measured remark-directive gotchas (docs-ecosystem.md §1.3), one case each.
import remarkDirective from 'remark-directive'
import remarkParse from 'remark-parse'
import { unified } from 'unified'
import { describe, expect, test } from 'vitest'
import { lintPage } from '../../plugin/core/lint.ts'

const lint = (md: string, withSource = true) => {
  const root = unified().use(remarkParse).use(remarkDirective).parse(md)
  return lintPage(root, withSource ? { path: 'docs/page.md', source: md } : { path: 'docs/page.md' })
}
const brief = (md: string, withSource = true) => lint(md, withSource).map((d) => `${d.start.line}:${d.start.column} ${d.rule}`)

describe('authoring lint', () => {
  test('a valid page has no warnings, text-directive false positives included', () => {
    const md = [
      'Meet at 10:30, build 2026-01-29T07:13:47Z, ratio 1:3.',
      '',
      '::::dispatcher{name=dsp code opt.depth=1 opt.graph.ratio=1}',
      '```ts',
      'const s = `',
      ':::',
      '`',
      '```',
      '::::',
      '',
      ':::testsetup',
      '```ts',
      'const a = 1',
      '```',
      ':::',
    ].join('\n')
    expect(lint(md)).toEqual([])
  })

  test('`:::d` … fence with a `:::` line … `:::`: closed early, told to use four colons', () => {
    const md = [':::dispatcher{name=dsp}', '```ts', 'const s = `', ':::', '`', '```', ':::'].join('\n')
    const [d] = lint(md)
    expect(d).toMatchObject({ severity: 'warning', rule: 'lint-early-close', file: 'docs/page.md', start: { line: 4, column: 1 } })
    expect(d?.message).toContain('`::::dispatcher{…}` … `::::`')
  })

  test('nested containers with equal colons: the stray closer is found, even inside a lazy paragraph', () => {
    expect(brief([':::note', ':::dispatcher{name=dsp}', 'x', ':::', 'y', ':::'].join('\n'))).toEqual(['6:1 lint-stray-closer'])
    expect(brief([':::note', ':::dispatcher{name=dsp}', 'x', ':::', '', ':::'].join('\n'))).toEqual(['6:1 lint-stray-closer'])
  })

  test('`:::d {a=1}` (space before `{`) is a paragraph: reported with the portable form', () => {
    const [d] = lint(':::dispatcher {name=dsp}\n```ts\nconst dsp = 1\n```\n:::')
    expect(d).toMatchObject({ rule: 'lint-unparsed-directive', start: { line: 1, column: 1 } })
    expect(d?.message).toContain('remove the space before `{`')
    expect(d?.message).toContain('Portable form: `:::dispatcher{name=dsp}`')
  })

  test('`{c=x=y}` (unquoted `=`) rejects the whole directive: told to quote the value', () => {
    const [d] = lint('::dispatcher{name=dsp description=x=y}')
    expect(d?.rule).toBe('lint-unparsed-directive')
    expect(d?.message).toContain('quote the value of `description`')
    expect(d?.message).toContain('Portable form: `::dispatcher{name=dsp description="x=y"}`')
  })

  test('`{a="{\\"k\\":1}"}` (backslash escapes) is rejected: told to use single quotes', () => {
    const [d] = lint('::dispatcher{name=dsp opt="{\\"k\\":1}"}')
    expect(d?.message).toContain('no backslash escapes')
    expect(d?.message).toContain('Portable form: `::dispatcher{name=dsp opt.k=1}`')
  })

  test('`{json=\'{"k": 1}\'}` parses with remark; the lint still warns that Sätteri drops it', () => {
    const [d, more] = lint(`::dispatcher{name=dsp opt='{"graph": {"ratio": "1"}}'}`)
    expect(more).toBeUndefined()
    expect(d).toMatchObject({ rule: 'lint-brace-in-value', start: { line: 1, column: 23 } })
    expect(d?.message).toContain(`Portable form: \`::dispatcher{name=dsp opt.graph.ratio='"1"'}\``)
  })

  test('an unquoted `:` parses here but is flagged for other processors', () => {
    const [d] = lint('::dispatcher{name=dsp from=./a:b}')
    expect(d).toMatchObject({ rule: 'lint-unquoted-value', start: { line: 1, column: 23 } })
    expect(d?.message).toContain('`::dispatcher{name=dsp from="./a:b"}`')
  })

  test('directives nested in lists and block quotes are linted, with their columns', () => {
    expect(brief('- item\n\n  :::dispatcher {name=dsp}\n  :::')).toEqual(['3:3 lint-unparsed-directive'])
    expect(brief('> ::dispatcher {name=dsp}')).toEqual(['1:3 lint-unparsed-directive'])
    expect(brief('> ::dispatcher{name=dsp from=./a:b}')).toEqual(['1:25 lint-unquoted-value'])
  })

  test('a container never closed swallows the rest of the page', () => {
    const md = ['# T', '', ':::dispatcher{name=dsp}', '```ts', 'const dsp = 1', '```', '', 'Prose that was meant to be outside.', ''].join(
      '\n',
    )
    const [d] = lint(md)
    expect(d).toMatchObject({ rule: 'lint-unclosed', start: { line: 3, column: 1 } })
    expect(d?.message).toBe(
      '`:::dispatcher` is never closed, so it holds everything up to line 8; close it with a `:::` line after its last fence.',
    )
    expect(brief('- a\n\n  :::testsetup\n  ```ts\n  x\n  ```\n  :::\n')).toEqual([])
  })

  test('other directive names and unclosed attributes', () => {
    expect(brief(':::note {x=1}\n:::')).toEqual([])
    const [d] = lint(':::testsetup{a="open\n:::')
    expect(d?.message).toMatch(/close the quote of `a`/)
  })

  test('without the source, tree-visible problems are still found', () => {
    expect(brief(':::dispatcher {name=dsp}\n:::', false)).toEqual(['1:1 lint-unparsed-directive'])
  })
})
