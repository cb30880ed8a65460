// The copy button's text: transcripts lose prompts, outputs and doctest flags; the Expressive Code hook rewrites the button.
import { describe, expect, it } from 'vitest'
import { copyRunnableCode, runnableCode } from '../../plugin/astro/copy-code.ts'

describe('runnableCode', () => {
  it('keeps the statements of a transcript, without prompts, outputs or doctest flags', () => {
    const transcript = [
      "> import { Dispatcher } from 'flowmark'",
      "> const dsp = new Dispatcher({ name: 'demo' })",
      "> dsp.addFunction({ id: 'f', fn: (x: number) => 2 * x,",
      "...   inputs: ['x'], outputs: ['y'] })",
      "'f'",
      "> dsp.dispatch({ x: 1 }).get('y') // doctest: +ELLIPSIS",
      '2',
      '> boom() // doctest: +IGNORE_EXCEPTION_DETAIL',
      'Uncaught Error: boom',
    ].join('\n')
    expect(runnableCode(transcript)).toBe(
      [
        "import { Dispatcher } from 'flowmark'",
        "const dsp = new Dispatcher({ name: 'demo' })",
        "dsp.addFunction({ id: 'f', fn: (x: number) => 2 * x,",
        "  inputs: ['x'], outputs: ['y'] })",
        "dsp.dispatch({ x: 1 }).get('y')",
        'boom()',
      ].join('\n'),
    )
  })

  it('leaves plain code alone but for doctest flags', () => {
    expect(runnableCode('const a = 1\nconst b = a > 0 // doctest: +SKIP\n')).toBe('const a = 1\nconst b = a > 0\n')
    expect(runnableCode('x > 0')).toBe('x > 0')
  })
})

describe('copyRunnableCode', () => {
  const button = () => ({ type: 'element', properties: { dataCode: 'original' }, children: [] })
  const block = (b: ReturnType<typeof button>) => ({
    type: 'element',
    properties: {},
    children: [{ type: 'element', properties: {}, children: [b] }],
  })

  it('puts the runnable code in the copy button of TypeScript and JavaScript blocks (newlines as U+007F)', () => {
    const b = button()
    copyRunnableCode().hooks.postprocessRenderedBlock({
      codeBlock: { code: '> const a = 1\n> a + 1\n2', language: 'ts' },
      renderData: { blockAst: block(b) },
    })
    expect(b.properties.dataCode).toBe('const a = 1\u007fa + 1')
  })

  it('leaves other languages and code that needs no change untouched', () => {
    const sh = button()
    copyRunnableCode().hooks.postprocessRenderedBlock({
      codeBlock: { code: '> not a prompt', language: 'sh' },
      renderData: { blockAst: block(sh) },
    })
    const plain = button()
    copyRunnableCode().hooks.postprocessRenderedBlock({
      codeBlock: { code: 'const a = 1', language: 'js' },
      renderData: { blockAst: block(plain) },
    })
    expect([sh.properties.dataCode, plain.properties.dataCode]).toEqual(['original', 'original'])
  })
})
