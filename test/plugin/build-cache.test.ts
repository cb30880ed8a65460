// The build cache of `flowmark-docs build`: which files are inputs, and when a recorded build still matches its inputs and output.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  BUILD_CACHE_ENV,
  checkBuild,
  docsBuild,
  fingerprint,
  inputFiles,
  outputManifest,
  parseBuildArgs,
  readRecord,
  recordPath,
  writeRecord,
  type BuildRecord,
} from '../../plugin/astro/build-cache.ts'

let root: string
const write = (rel: string, text: string): void => {
  mkdirSync(join(root, rel, '..'), { recursive: true })
  writeFileSync(join(root, rel), text)
}
const out = (): string => join(root, 'dist')
const cache = (): string => join(root, 'node_modules', '.cache', 'flowmark')

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'flowmark-build-cache-'))
  write('astro.config.mjs', 'export default {}\n')
  write('site/index.md', '# Home\n')
  write('models/model.ts', 'export const x = 1\n')
  write('node_modules/pkg/index.js', 'module.exports = 1\n')
  write('.astro/data-store.json', '{}')
  write('dist/index.html', '<h1>Home</h1>')
  write('dist/_astro/app.js', 'console.log(1)')
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

/** The record a successful build would leave now. */
function record(env: Record<string, string> = {}): BuildRecord {
  const now = fingerprint(root, { exclude: [out(), cache()], env })
  return {
    version: 1,
    environment: now.environment,
    inputs: now.inputs,
    outDir: 'dist',
    outputs: outputManifest(out()),
    builtAt: '2026-01-01T00:00:00.000Z',
  }
}
const check = (saved: BuildRecord | undefined, env: Record<string, string> = {}) =>
  checkBuild(root, saved, fingerprint(root, { exclude: [out(), cache()], env }))

describe('inputFiles', () => {
  it('outside Git: every file but node_modules, dot-folders and the excluded folders', () => {
    expect(inputFiles(root, [out(), cache()])).toEqual(['astro.config.mjs', 'models/model.ts', 'site/index.md'])
  })

  it('in a Git work tree: tracked and untracked files minus what .gitignore excludes, plus the lockfiles', () => {
    execFileSync('git', ['init', '-q'], { cwd: root })
    write('.gitignore', 'node_modules/\ndist/\n.astro/\nscratch.log\n')
    write('scratch.log', 'ignored')
    write('package-lock.json', '{}')
    write('node_modules/.package-lock.json', '{}')
    execFileSync('git', ['add', 'astro.config.mjs'], { cwd: root })
    expect(inputFiles(root, [out(), cache()])).toEqual([
      '.gitignore',
      'astro.config.mjs',
      'models/model.ts',
      'node_modules/.package-lock.json',
      'package-lock.json',
      'site/index.md',
    ])
  })
})

describe('checkBuild', () => {
  it('is up to date when nothing changed', () => {
    expect(check(record()).upToDate).toBe(true)
  })

  it('builds when no build is recorded', () => {
    expect(check(undefined)).toEqual({ upToDate: false, reason: 'no earlier successful build is recorded' })
  })

  it('builds when an input changed, appeared or disappeared, and names it', () => {
    const saved = record()
    write('models/model.ts', 'export const x = 2\n')
    expect(check(saved)).toEqual({ upToDate: false, reason: 'models/model.ts changed' })
    write('models/model.ts', 'export const x = 1\n')
    expect(check(saved).upToDate).toBe(true)
    write('site/new.md', '# New\n')
    expect(check(saved)).toEqual({ upToDate: false, reason: 'site/new.md changed' })
    rmSync(join(root, 'site'), { recursive: true })
    expect(check(saved)).toEqual({ upToDate: false, reason: 'site/index.md changed' })
  })

  it('builds when an output file was edited, deleted or added', () => {
    const saved = record()
    write('dist/index.html', '<h1>Edited</h1>')
    expect(check(saved)).toMatchObject({
      upToDate: false,
      reason: 'the output in dist differs from what the last build wrote (index.html)',
    })
    write('dist/index.html', '<h1>Home</h1>')
    rmSync(join(root, 'dist', '_astro'), { recursive: true })
    expect(check(saved)).toMatchObject({ upToDate: false, reason: expect.stringContaining('(_astro/app.js)') })
    write('dist/_astro/app.js', 'console.log(1)')
    write('dist/extra.html', '')
    expect(check(saved)).toMatchObject({ upToDate: false, reason: expect.stringContaining('(extra.html)') })
    rmSync(out(), { recursive: true })
    expect(check(saved).upToDate).toBe(false)
  })

  it('builds when a build-related environment variable changed, but not for others or the opt-out itself', () => {
    const saved = record({ FLOWMARK_SITE_URL: 'https://a.example/' })
    expect(check(saved, { FLOWMARK_SITE_URL: 'https://a.example/', HOME: '/elsewhere', [BUILD_CACHE_ENV]: '1' }).upToDate).toBe(true)
    expect(check(saved, { FLOWMARK_SITE_URL: 'https://b.example/' })).toMatchObject({
      upToDate: false,
      reason: expect.stringContaining('environment variable'),
    })
    expect(check(saved, { FLOWMARK_SITE_URL: 'https://a.example/', NODE_OPTIONS: '--max-old-space-size=100' }).upToDate).toBe(false)
  })

  it("counts extra files (modules the examples loaded outside the project's own files)", () => {
    const extra = [join(root, 'node_modules', 'pkg', 'index.js')]
    const now = fingerprint(root, { exclude: [out(), cache()], extraFiles: extra })
    const saved: BuildRecord = { ...record(), environment: now.environment, inputs: now.inputs }
    expect(saved.inputs.map(([f]) => f)).toContain('node_modules/pkg/index.js')
    write('node_modules/pkg/index.js', 'module.exports = 2\n')
    expect(checkBuild(root, saved, fingerprint(root, { exclude: [out(), cache()], extraFiles: extra }))).toEqual({
      upToDate: false,
      reason: 'node_modules/pkg/index.js changed',
    })
  })
})

describe('docsBuild', () => {
  it('is up to date right after a build whose examples loaded files outside the project', async () => {
    // A stand-in for `astro build`: it writes the output and the integration's state, whose digests are whole SHA-256s.
    const loaded = join(root, 'node_modules', 'pkg', 'index.js')
    const digest = createHash('sha256').update('module.exports = 1\n').digest('hex')
    const state = JSON.stringify({ outDir: out(), status: 'passed', files: [[loaded, digest]] })
    write('node_modules/astro/package.json', '{"name":"astro","version":"0.0.0"}')
    write(
      'node_modules/astro/bin/astro.mjs',
      `import { mkdirSync, writeFileSync } from 'node:fs'
mkdirSync(${JSON.stringify(join(cache(), 'doctest'))}, { recursive: true })
writeFileSync(${JSON.stringify(join(cache(), 'doctest', 'build-state.json'))}, ${JSON.stringify(state)})
writeFileSync(${JSON.stringify(join(out(), 'index.html'))}, '<h1>Built</h1>')
`,
    )
    const lines: string[] = []
    const io = { stdout: { write: (t: string) => lines.push(t) }, stderr: { write: (t: string) => lines.push(t) }, cwd: root, env: {} }
    const options = { force: false, cacheDir: join('node_modules', '.cache', 'flowmark'), outDir: 'dist', astroArgs: [] }
    expect(await docsBuild(options, io)).toBe(0)
    expect(readRecord(recordPath(cache()))?.inputs).toContainEqual(['node_modules/pkg/index.js', digest.slice(0, 32)])
    lines.length = 0
    expect(await docsBuild(options, io)).toBe(0)
    expect(lines.join('')).toMatch(/^flowmark-docs build: up to date/)
  })
})

describe('records', () => {
  it('round-trip, and an unreadable or foreign record counts as none', () => {
    const file = recordPath(cache())
    expect(readRecord(file)).toBeUndefined()
    const saved = record()
    writeRecord(file, saved)
    expect(readRecord(file)).toEqual(saved)
    writeFileSync(file, '{"version": 1, "inputs": "x"')
    expect(readRecord(file)).toBeUndefined()
    writeFileSync(file, JSON.stringify({ ...saved, version: 999 }))
    expect(readRecord(file)).toBeUndefined()
  })
})

describe('parseBuildArgs', () => {
  it('reads its own options and passes what follows -- to astro build', () => {
    expect(parseBuildArgs(['--force', '--out', 'public', '--', '--verbose'])).toEqual({
      force: true,
      help: false,
      cacheDir: join('node_modules', '.cache', 'flowmark'),
      outDir: 'public',
      astroArgs: ['--verbose'],
    })
    expect(() => parseBuildArgs(['--forse'])).toThrow(/Unknown option '--forse'.*flowmark-docs build --help/)
  })
})
