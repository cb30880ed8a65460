// The docs site's pages on shared, reused session workers give the results each gives alone, on a worker of its own.
import { globSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { pageSession } from '../../plugin/core/page.ts'
import type { SessionRequest } from '../../plugin/core/types.ts'
import { runSession, sessionWorkerStats, type DoctestReport } from '../../plugin/doctest/session.ts'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const requests: SessionRequest[] = globSync(['site/content/docs/**/*.md', 'site/content/docs/**/*.mdx'], { cwd: repo })
  .sort()
  .map((file) => pageSession(readFileSync(join(repo, file), 'utf8'), join(repo, file)).request)
  .filter((request) => request.blocks.length > 0)

/**
 * What a page's examples gave: each one's status, and the output of statements that match their transcript exactly
 * (others print what differs from run to run, a UUID or a duration, and pass by a flag such as `+ELLIPSIS`).
 */
const results = (report: DoctestReport): [string, string | undefined][] =>
  report.examples.map((e) => [e.status, e.kind === 'statement' && e.actual === e.expected ? e.actual : undefined])

describe('docs site pages on reused workers', () => {
  it('give the results each page gives alone, whichever pages ran on its worker before it', async () => {
    const alone: [string, string | undefined][][] = []
    for (const request of requests) alone.push(results(await runSession({ ...request, flags: { ...request.flags, freshWorker: true } })))
    const reused = sessionWorkerStats().reused
    // All together, as a site build runs them, twice: the second time, pages follow other pages, themselves included.
    for (let round = 0; round < 2; round++) {
      const shared = await Promise.all(requests.map((request) => runSession(request)))
      expect(shared.map(results)).toEqual(alone)
    }
    expect(sessionWorkerStats().reused - reused).toBeGreaterThan(requests.length)
  })
})
