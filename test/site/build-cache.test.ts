// `flowmark-docs build` on a real (small) Astro site: it builds, then says "up to date" until an input or the output changes.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(repo, 'plugin', 'bin.ts')
let root: string

/** One `flowmark-docs build` in the site's folder: exit code and output. */
function build(args: readonly string[] = [], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--conditions=source', bin, 'build', '--cache-dir', '.flowmark-cache', ...args],
      {
        cwd: root,
        env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', ...env },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => done({ code: error === null ? 0 : Number(error.code ?? 1), output: stdout + stderr }),
    )
  })
}
const page = (): string => readFileSync(join(root, 'dist', 'index.html'), 'utf8')
const ran = (output: string): boolean => /Complete!/.test(output)

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'flowmark-docs-build-'))
  // Astro and Vite keep their caches inside the site, not in the repository's node_modules (linked below).
  writeFileSync(
    join(root, 'astro.config.mjs'),
    "export default { cacheDir: './.astro-cache', vite: { cacheDir: './.vite-cache' }, logLevel: 'info' }\n",
  )
  mkdirSync(join(root, 'src', 'pages'), { recursive: true })
  writeFileSync(join(root, 'src', 'pages', 'index.astro'), '<h1>First</h1>\n')
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n')
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir')
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('flowmark-docs build', () => {
  it('builds once, then reports "up to date" until a page, the output or the environment changes', async () => {
    const first = await build()
    expect(first.code, first.output).toBe(0)
    expect(first.output).toContain('building, because no earlier successful build is recorded')
    expect(ran(first.output)).toBe(true)
    expect(page()).toContain('First')

    const second = await build()
    expect(second.code, second.output).toBe(0)
    expect(second.output).toMatch(/flowmark-docs build: up to date: \d+ input files and the \d+ files in dist are as the build of/)
    expect(ran(second.output)).toBe(false)

    writeFileSync(join(root, 'src', 'pages', 'index.astro'), '<h1>Second</h1>\n')
    const edited = await build()
    expect(edited.output).toContain('building, because src/pages/index.astro changed')
    expect(page()).toContain('Second')

    rmSync(join(root, 'dist', 'index.html'))
    const deleted = await build()
    expect(deleted.output).toContain('building, because the output in dist differs from what the last build wrote (index.html)')
    expect(existsSync(join(root, 'dist', 'index.html'))).toBe(true)
    expect(ran((await build()).output)).toBe(false)

    expect(ran((await build(['--force'])).output)).toBe(true)
    expect(ran((await build([], { FLOWMARK_BUILD_CACHE: '0' })).output)).toBe(true)
    const env = await build([], { FLOWMARK_SITE_URL: 'https://example.org/' })
    expect(env.output).toContain('building, because the Node version, the build arguments or a build-related environment variable changed')
  }, 240_000)

  it('records nothing after a failed build, so the next one builds again', async () => {
    writeFileSync(join(root, 'src', 'pages', 'index.astro'), '---\nthrow new Error("broken page")\n---\n<h1>Broken</h1>\n')
    const failed = await build()
    expect(failed.code).not.toBe(0)
    expect(existsSync(join(root, '.flowmark-cache', 'build', 'record.json'))).toBe(false)
    writeFileSync(join(root, 'src', 'pages', 'index.astro'), '<h1>Third</h1>\n')
    const fixed = await build()
    expect(fixed.code, fixed.output).toBe(0)
    expect(fixed.output).toContain('no earlier successful build is recorded')
    expect(page()).toContain('Third')
  }, 120_000)
})
