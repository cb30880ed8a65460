// Every page of the docs site as doctests: each example of site/content/docs is a Vitest test, no site build needed.
import { globSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { pageSession } from '../../plugin/core/page.ts'
import { listExamples } from '../../plugin/doctest/session.ts'
import { describeDoctests } from '../../plugin/doctest/vitest.ts'

const repo = fileURLToPath(new URL('../../', import.meta.url))
// The API reference is generated at build time and served from memory (apiPagesLoader): its examples are checked by
// test/plugin/api-doctest.test.ts.
const pages = globSync(['site/content/docs/**/*.md', 'site/content/docs/**/*.mdx'], { cwd: repo }).sort()

/** Whether `describeDoctests` declares any test for the page (an empty suite is an error in Vitest). */
function hasDoctests(file: string): boolean {
  const { request, diagnostics } = pageSession(readFileSync(join(repo, file), 'utf8'), join(repo, file))
  return listExamples(request).length > 0 || diagnostics.length > 0 || request.blocks.length > 0
}

const tested = pages.filter(hasDoctests)

describe('docs site pages', () => {
  it('are found, and most of them hold examples', () => {
    expect(pages.length).toBeGreaterThan(10)
    expect(tested.length).toBeGreaterThan(pages.length / 2)
  })
})

// One `describe` per page, one `it` per example; a page's examples share one session, in page order, as on the site.
// Pages without any example (prose-only guides) are left out: they would be empty suites.
describeDoctests(tested, { cwd: repo })
