// Session workers are reused across pages only when the earlier page left nothing the later one could see.
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SessionBlock, SessionRequest } from '../../plugin/core/types.ts'
import { runSession, sessionWorkerStats } from '../../plugin/doctest/session.ts'

const repo = resolve(import.meta.dirname, '../..')
const page = (name: string): string => resolve(repo, 'fixtures/doctest-typescript', name)
const transcript = (code: string): SessionBlock => ({ kind: 'transcript', id: 't1', code, start: { line: 2, column: 1 }, flags: {} })
const request = (name: string, code: string, extra: Partial<SessionRequest> = {}): SessionRequest => ({
  file: page(name),
  blocks: [transcript(code)],
  ...extra,
})

/** Runs one page and says whether it ran on a worker an earlier page had used. */
async function run(
  req: SessionRequest,
): Promise<{ reused: boolean; failed: number; actual: (string | undefined)[]; reasons: readonly string[] }> {
  const before = sessionWorkerStats().reused
  const report = await runSession(req)
  const after = sessionWorkerStats()
  return { reused: after.reused > before, failed: report.failed, actual: report.examples.map((e) => e.actual), reasons: after.lastReasons }
}

describe('worker reuse', () => {
  it("runs a later page on the worker a clean page left, without the earlier page's globals", async () => {
    await run(request('a.md', '> globalThis.leaked = 1\n1\n> const first = 2\n> first\n2\n'))
    const second = await run(request('b.md', "> typeof leaked\n'undefined'\n> 6 * 7\n42\n"))
    expect(second.failed).toBe(0)
    expect(second.reused).toBe(true)
  })

  it("deletes a page's script-level var and function declarations, so a page naming them reuses the worker", async () => {
    const declaring = await run(request('c1.md', '> var scriptVar = 5\n> function scriptFn() { return scriptVar }\n> scriptFn()\n5\n'))
    expect(declaring.failed).toBe(0)
    const naming = await run(request('d1.md', "> typeof scriptVar + ' ' + typeof scriptFn\n'undefined undefined'\n"))
    expect(naming.failed).toBe(0)
    expect(naming.reused).toBe(true)
  })

  it('keeps a page that names an undeletable global of an earlier page off that worker', async () => {
    await run(request('c.md', "> Object.defineProperty(globalThis, 'stuckName', { value: 5 }).stuckName\n5\n"))
    const naming = await run(request('d.md', "> typeof stuckName\n'undefined'\n"))
    expect(naming.failed).toBe(0)
    expect(naming.reused).toBe(false)
  })

  it('ends a worker whose page changed a built-in, so the next page never sees the change', async () => {
    const retired = sessionWorkerStats().retired
    const changing = await run(request('e.md', '> Array.prototype.extra = 1\n1\n'))
    expect(changing.reasons.join('; ')).toMatch(/changed `extra` of `Array`/)
    expect(sessionWorkerStats().retired).toBe(retired + 1)
    const next = await run(request('f.md', "> 'extra' in []\nfalse\n"))
    expect(next.failed).toBe(0)
  })

  it("ends a worker whose page loaded a module of its own (its module state is that page's)", async () => {
    const importing = await run(
      request('g.md', "> const { Dispatcher } = await import('flowmark')\n> typeof (await import('./helper.ts'))\n'object'\n"),
    )
    expect(importing.failed).toBe(0)
    expect(importing.reasons.join('; ')).toMatch(/loaded 1 module\(s\) of its own/)
    expect((await run(request('h.md', '> 1 + 1\n2\n'))).reused).toBe(false)
  })

  it('gives a page its own worker with +FRESH_WORKER or FLOWMARK_DOCTEST_REUSE=0', async () => {
    await run(request('i.md', '> 1\n1\n'))
    expect((await run(request('j.md', '> 2\n2\n', { flags: { freshWorker: true } }))).reused).toBe(false)
    process.env['FLOWMARK_DOCTEST_REUSE'] = '0'
    try {
      expect((await run(request('k.md', '> 3\n3\n'))).reused).toBe(false)
    } finally {
      delete process.env['FLOWMARK_DOCTEST_REUSE']
    }
  })
})
