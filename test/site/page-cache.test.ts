// The docs integration's result cache: a page's report is reused only while its request and every module it loaded are unchanged.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { pageSession } from '../../plugin/core/page.ts'
import { runSession } from '../../plugin/doctest/session.ts'
import {
  clearResults,
  createResultCache,
  forgetDigests,
  loadResult,
  storeResult,
  VARIANTS_PER_PAGE,
} from '../../plugin/astro/page-cache.ts'

const work = mkdtempSync(join(tmpdir(), 'flowmark-page-cache-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const page = join(work, 'page.md')
const model = join(work, 'model.ts')
const helper = join(work, 'helper.ts')
const markdown = (expected: number): string => `# Page\n\n\`\`\`ts\n> import { total } from './model.ts'\n> total(2)\n${expected}\n\`\`\`\n`

describe('page result cache', () => {
  it('records what the session loaded, transitively, and reuses the report only while all of it is unchanged', async () => {
    writeFileSync(helper, 'export const factor = 10\n')
    writeFileSync(model, "import { factor } from './helper.ts'\nexport const total = (x: number): number => x * factor\n")
    writeFileSync(page, markdown(20))
    const request = pageSession(markdown(20), page).request
    const report = await runSession(request)
    expect(report.failed).toBe(0)
    // The model and the module it imports, as Node resolved them.
    expect(report.modules).toEqual([helper, model])

    const cache = createResultCache(join(work, 'cache'), 'salt')
    expect(loadResult(cache, request)).toBeUndefined()
    expect(storeResult(cache, request, report, report.modules)).toBe(true)
    const hit = loadResult(cache, request)
    expect(hit?.modules).toEqual([helper, model])
    expect(hit?.report.passed).toBe(report.passed)
    expect(hit?.report.draws).toBeInstanceOf(Map)

    // A module two imports away changes: the entry no longer matches (digests are memoised until forgotten).
    writeFileSync(helper, 'export const factor = 11\n')
    forgetDigests(cache)
    expect(loadResult(cache, request)).toBeUndefined()
    // Content, not time, is the key: the same text again makes the entry valid again.
    writeFileSync(helper, 'export const factor = 10\n')
    forgetDigests(cache)
    expect(loadResult(cache, request)).toBeDefined()

    // Another page text (another request), another salt: no match.
    expect(loadResult(cache, pageSession(markdown(21), page).request)).toBeUndefined()
    expect(loadResult(createResultCache(cache.dir, 'other salt'), request)).toBeUndefined()
  })

  it("keeps a page's latest results, so that going back to an earlier text or model reuses its report", async () => {
    writeFileSync(helper, 'export const factor = 10\n')
    writeFileSync(model, "import { factor } from './helper.ts'\nexport const total = (x: number): number => x * factor\n")
    const cache = createResultCache(join(work, 'cache-variants'), 'salt')
    const store = async (expected: number): Promise<void> => {
      const request = pageSession(markdown(expected), page).request
      const report = await runSession(request)
      expect(report.failed).toBe(0)
      expect(storeResult(cache, request, report, report.modules)).toBe(true)
    }
    const hit = (expected: number): boolean => loadResult(cache, pageSession(markdown(expected), page).request) !== undefined
    // Page text A (factor 10 → 20), then the model edited (factor 11 → text B, 22), then back to A's model and text.
    await store(20)
    writeFileSync(helper, 'export const factor = 11\n')
    forgetDigests(cache)
    expect(hit(20)).toBe(false)
    await store(22)
    expect(hit(22)).toBe(true)
    writeFileSync(helper, 'export const factor = 10\n')
    forgetDigests(cache)
    expect(hit(22)).toBe(false)
    expect(hit(20)).toBe(true)
    // Storing the same result again replaces it: one file per page, each result once, the newest first.
    await store(20)
    const [name, ...others] = readdirSync(cache.dir)
    expect(others).toEqual([])
    const variants = (): { key: string }[] =>
      (JSON.parse(readFileSync(join(cache.dir, name!), 'utf8')) as { variants: { key: string }[] }).variants
    expect(variants()).toHaveLength(2)
    // More texts than the page keeps: the oldest results go.
    for (let factor = 1; factor <= VARIANTS_PER_PAGE; factor++) {
      writeFileSync(helper, `export const factor = ${100 + factor}\n`)
      forgetDigests(cache)
      await store(2 * (100 + factor))
    }
    expect(variants()).toHaveLength(VARIANTS_PER_PAGE)
    expect(hit(2 * (100 + VARIANTS_PER_PAGE))).toBe(true)
    writeFileSync(helper, 'export const factor = 10\n')
    forgetDigests(cache)
    expect(hit(20)).toBe(false)
  })

  it('never stores a failing session, nor one whose modules are unknown; a damaged entry is a miss', async () => {
    writeFileSync(helper, 'export const factor = 10\n')
    const failing = pageSession(markdown(99), page).request
    const report = await runSession(failing)
    expect(report.failed).toBe(1)
    const cache = createResultCache(join(work, 'cache-2'), 'salt')
    expect(storeResult(cache, failing, report, report.modules)).toBe(false)

    const passing = pageSession(markdown(20), page).request
    const good = await runSession(passing)
    expect(storeResult(cache, passing, good, undefined)).toBe(false)
    expect(storeResult(cache, passing, good, good.modules)).toBe(true)
    const [entry] = readdirSync(cache.dir)
    // Results that are not results (hand-edited, or written by something else) are misses, and storing replaces them.
    const text = readFileSync(join(cache.dir, entry!), 'utf8')
    const parsed = JSON.parse(text) as { variants: unknown[] }
    writeFileSync(join(cache.dir, entry!), JSON.stringify({ ...parsed, variants: [null, 7, { key: 'x' }] }))
    expect(loadResult(cache, passing)).toBeUndefined()
    expect(storeResult(cache, passing, good, good.modules)).toBe(true)
    expect(loadResult(cache, passing)).toBeDefined()
    writeFileSync(join(cache.dir, entry!), '{ not json')
    expect(loadResult(cache, passing)).toBeUndefined()
    clearResults(cache)
    expect(readdirSync(cache.dir)).toEqual([])
  })
})
