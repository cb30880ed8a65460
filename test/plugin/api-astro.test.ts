// The API pages' config:setup step as the Astro integration calls it: validation, files, watch list, log lines.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ApiOptionsError, setupApiPages, validateApiConfig } from '../../plugin/api/index.ts'

const root = path.resolve(import.meta.dirname, '../..')

describe('validateApiConfig', () => {
  it('accepts entry points as paths or { file, name }', () => {
    const ok = { entryPoints: ['engine/index.ts', { file: 'fixtures/api-package/index.ts', name: 'example' }], baseUrl: '/reference/' }
    expect(validateApiConfig(ok)).toBe(ok)
  })

  it('names the field at fault', () => {
    const bad: [unknown, RegExp][] = [
      [undefined, /`api`: expected an object/],
      [{}, /`api\.entryPoints`: expected a non-empty array/],
      [{ entryPoints: [42] }, /`api\.entryPoints\[0\]`: expected a file path or \{ file, name\? \}, got 42/],
      [{ entryPoints: ['a.ts'], outdir: 'x' }, /`api\.outdir`: unknown field; known: entryPoints, /],
      [{ entryPoints: ['a.ts'], baseUrl: 'api' }, /`api\.baseUrl`: expected a path with leading and trailing slashes/],
      [{ entryPoints: ['a.ts'], tsconfig: 1 }, /`api\.tsconfig`: expected a string, got 1/],
    ]
    for (const [input, message] of bad) {
      expect(() => validateApiConfig(input)).toThrow(ApiOptionsError)
      expect(() => validateApiConfig(input)).toThrow(message)
    }
  })
})

describe('setupApiPages', () => {
  it('writes the pages below srcDir/content/docs/api, watches the sources and logs', async () => {
    const srcDir = mkdtempSync(path.join(tmpdir(), 'flowmark-api-astro-'))
    try {
      const watched: string[] = []
      const info: string[] = []
      const warn: string[] = []
      const context = {
        config: { root: pathToFileURL(`${root}/`), srcDir: pathToFileURL(`${srcDir}/`) },
        addWatchFile: (f: string | URL) => watched.push(String(f)),
        logger: { info: (m: string) => info.push(m), warn: (m: string) => warn.push(m) },
      }
      const result = await setupApiPages({ entryPoints: ['fixtures/api-package/index.ts'] }, context)
      const outDir = path.join(srcDir, 'content/docs/api')
      expect(existsSync(path.join(outDir, 'fixtures/api-package/main-model.md'))).toBe(true)
      expect(readFileSync(path.join(outDir, 'index.md'), 'utf8')).toContain('title: API reference')
      expect(watched).toContain(path.join(root, 'fixtures/api-package/index.ts'))
      expect(warn).toEqual([])
      expect(info).toHaveLength(1)
      expect(info[0]).toMatch(new RegExp(`^API pages: ${result.pages.length} pages \\(${result.pages.length} written, 0 removed\\) in .*content/docs/api, \\d+ ms \\(`))
    } finally {
      rmSync(srcDir, { recursive: true, force: true })
    }
  }, 120_000)
})
