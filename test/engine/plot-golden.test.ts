// Golden DOT files: each fixtures/plot-<case>/input.ts model gives expected.dot (and workflow.dot), byte for byte.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Dispatcher, PlotOptions, Solution } from '../../engine/index.ts'
import { pagesText } from './plot-dot.ts'
import { prepareGolden } from '../golden.ts'

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures')
const cases = readdirSync(FIXTURES)
  .filter((d) => d.startsWith('plot-') && existsSync(join(FIXTURES, d, 'input.ts')))
  .sort()

interface CaseModule {
  model(): Dispatcher
  run?(dsp: Dispatcher): Solution
  options?: PlotOptions
}

/** Compares `actual` with the expectation file: writes it with UPDATE=1, or when missing outside CI; keeps the actual output. */
function golden(dir: string, file: string, actual: string): void {
  const path = join(dir, file)
  mkdirSync(join(dir, '__actual__'), { recursive: true })
  writeFileSync(join(dir, '__actual__', file), actual)
  prepareGolden(path, actual)
  expect(actual, `${path} differs; run with UPDATE=1 to accept, or compare with __actual__/${file}`).toBe(readFileSync(path, 'utf8'))
}

describe('golden DOT', () => {
  it('has the fixed set of cases', () => {
    expect(cases).toEqual(
      expect.arrayContaining([
        'plot-data',
        'plot-failures',
        'plot-function',
        'plot-hostile',
        'plot-options',
        'plot-special-nodes',
        'plot-sub-dispatcher',
        'plot-wrapped-model',
      ]),
    )
  })

  for (const name of cases) {
    it(name, async () => {
      const dir = join(FIXTURES, name)
      const mod = (await import(join(dir, 'input.ts'))) as CaseModule
      const options: PlotOptions = { ...mod.options, hideTimestamps: true }
      const dmap = pagesText(mod.model().plot(options))
      // Deterministic: a second model built the same way gives the same bytes.
      expect(pagesText(mod.model().plot(options))).toBe(dmap)
      golden(dir, 'expected.dot', dmap)
      if (mod.run !== undefined) {
        const wf = pagesText(mod.run(mod.model()).plot(options))
        expect(pagesText(mod.run(mod.model()).plot(options))).toBe(wf)
        expect(wf).not.toMatch(/\b(started|duration)\b|\d{4}-\d\d-\d\dT\d\d:/)
        golden(dir, 'workflow.dot', wf)
      }
    })
  }
})
