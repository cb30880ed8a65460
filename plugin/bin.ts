#!/usr/bin/env node
// The `flowmark-docs` executable: checks the Node version and answers --version before loading the command line.
import { readFileSync } from 'node:fs'
import { nodeVersionProblem } from './node-range.ts'

/** The name users type. */
const COMMAND = 'flowmark-docs'

const problem = nodeVersionProblem(COMMAND)
const [first] = process.argv.slice(2)
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`)
  process.exitCode = 1
} else if (first === '--version' || first === '-v') {
  // From the sources this file sits beside package.json; built, it is in dist/.
  const manifest = new URL(import.meta.url.endsWith('.ts') ? './package.json' : '../package.json', import.meta.url)
  process.stdout.write(`${(JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version}\n`)
} else {
  // Loaded only now: on an older Node its imports (node:module's stripTypeScriptTypes) would fail before the check.
  const { main } = await import('./cli.ts')
  process.exitCode = await main(process.argv.slice(2))
}
