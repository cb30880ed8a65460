// The `flowmark-docs` executable: --version, and the one-line message on a Node outside the supported range.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { NODE_RANGE, nodeVersionProblem, supportsNode } from '../../plugin/node-range.ts'

const run = promisify(execFile)
const bin = new URL('../../plugin/bin.ts', import.meta.url).pathname
const manifest = (dir: string) =>
  JSON.parse(readFileSync(new URL(`../../${dir}/package.json`, import.meta.url), 'utf8')) as { version: string; engines: { node: string } }

describe('flowmark-docs', () => {
  it('--version prints the version of @flowmark/docs', async () => {
    const { stdout } = await run(process.execPath, ['--conditions=source', bin, '--version'])
    expect(stdout).toBe(`${manifest('plugin').version}\n`)
  })

  it('--help still reaches the command line', async () => {
    const { stdout } = await run(process.execPath, ['--conditions=source', bin, '--help'])
    expect(stdout).toMatch(/^Usage:\n {2}flowmark-docs plot /)
  })

  it('package.json engines state the range the CLI checks', () => {
    expect(manifest('plugin').engines.node).toBe(NODE_RANGE)
  })

  it('accepts Node 22.18+, 23.6+ and 24+, and names what to install on an older one', () => {
    for (const ok of ['22.18.0', 'v22.22.1', '23.6.0', '24.0.0', '26.1.0']) expect(supportsNode(ok), ok).toBe(true)
    // 22.12: no stripTypeScriptTypes; 22.17 and 23.5: no type stripping by default.
    for (const bad of ['20.19.0', '22.12.0', '22.17.1', '23.5.0', 'v21.7.3']) expect(supportsNode(bad), bad).toBe(false)
    expect(nodeVersionProblem('flowmark-docs', 'v22.12.0')).toBe(
      `flowmark-docs needs Node ${NODE_RANGE}, but this is Node 22.12.0: install a newer Node, or add one to this project ` +
        'with `npm install --save-dev node@24` (npm scripts and npx then run on it).',
    )
    expect(nodeVersionProblem('flowmark-docs', process.versions.node)).toBeUndefined()
  })
})
