// The golden-file helper of the tests: a missing golden file is written on a developer's machine, fails under CI.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MissingGoldenError, prepareGolden } from '../golden.ts'

const dir = mkdtempSync(join(tmpdir(), 'flowmark-golden-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('prepareGolden', () => {
  it('fails under CI when the golden file is missing, saying how to create it, and writes nothing', () => {
    const file = join(dir, 'ci', 'expected.txt')
    expect(() => prepareGolden(file, 'out', { CI: 'true' })).toThrow(MissingGoldenError)
    expect(() => prepareGolden(file, 'out', { CI: '1' })).toThrow(/is missing.*running this test once without CI/s)
    expect(existsSync(file)).toBe(false)
  })

  it('writes a missing golden file outside CI (CI unset, empty or false)', () => {
    for (const [i, env] of [{}, { CI: '' }, { CI: 'false' }].entries()) {
      const file = join(dir, `local-${i}`, 'expected.txt')
      prepareGolden(file, `out ${i}`, env)
      expect(readFileSync(file, 'utf8')).toBe(`out ${i}`)
    }
  })

  it('keeps an existing golden file, and rewrites it with UPDATE=1 even under CI', () => {
    const file = join(dir, 'kept.txt')
    writeFileSync(file, 'old')
    prepareGolden(file, 'new', { CI: 'true' })
    expect(readFileSync(file, 'utf8')).toBe('old')
    prepareGolden(file, 'new', { CI: 'true', UPDATE: '1' })
    expect(readFileSync(file, 'utf8')).toBe('new')
  })
})
