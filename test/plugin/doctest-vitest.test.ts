// Doctests as first-class Vitest tests: describeDoctests declares one test per example of each matching page.
import { resolve } from 'node:path'
import { describeDoctests } from '../../plugin/doctest/vitest.ts'

describeDoctests(['fixtures/doctest-repl-formats/input.md', 'fixtures/doctest-typescript/input.md', 'fixtures/doctest-scope/input.md'], {
  cwd: resolve(import.meta.dirname, '../..'),
})
