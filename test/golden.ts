// Golden files of the tests: written when asked (UPDATE=1) or when missing on a developer's machine, never under CI.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Thrown when a golden file is missing under CI, where writing it would make the test pass without checking anything. */
export class MissingGoldenError extends Error {
  override readonly name = 'MissingGoldenError'
}

/** Whether the tests run under CI (`CI` set to anything but an empty string, `0` or `false`). */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env['CI']
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
}

/** Whether the tests were asked to rewrite their golden files (`UPDATE=1` or `UPDATE=true`). */
export function updating(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['UPDATE'] === '1' || env['UPDATE'] === 'true'
}

/**
 * Makes sure the golden file `path` exists before a test compares `actual` with it: writes `actual` there with
 * UPDATE=1, or when the file is missing outside CI (a new case's first run). Under CI a missing file throws
 * {@link MissingGoldenError} saying how to create it, so a forgotten file cannot pass unchecked.
 */
export function prepareGolden(path: string | URL, actual: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = typeof path === 'string' ? path : fileURLToPath(path)
  if (!updating(env) && existsSync(file)) return
  if (!updating(env) && underCi(env)) {
    const shown = relative(process.cwd(), file)
    throw new MissingGoldenError(
      `golden file ${shown} is missing, and under CI it is not written (that would pass without checking anything). ` +
        'Create it by running this test once without CI (it writes the file), review it, and commit it.',
    )
  }
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, actual)
}
