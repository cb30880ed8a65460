// The `flowmark` CLI: argument errors, module/export errors, the self-contained page, the doctest delegation.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main, parsePlotArgs, UsageError } from '../../plugin/cli.ts'

const root = new URL('../../', import.meta.url).pathname
const tmp = mkdtempSync(join(tmpdir(), 'flowmark-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** Runs `main` with captured output. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = ''
  const code = await main(argv, {
    stdout: {
      write: (t: string) => {
        out += t
      },
    },
    stderr: {
      write: (t: string) => {
        err += t
      },
    },
    cwd: root,
  })
  return { code, out, err }
}

describe('flowmark-docs plot arguments', () => {
  it('parses targets and options', () => {
    expect(parsePlotArgs(['./m.ts#dsp', '--out', 'o', '--workflow', '--depth=2', '--no-cache'])).toEqual({
      module: './m.ts',
      exportName: 'dsp',
      out: 'o',
      workflow: true,
      depth: 2,
      title: undefined,
      cache: false,
    })
    expect(parsePlotArgs(['pkg', '-o', 'o']).exportName).toBe('default')
  })

  it.each([
    [[], /missing <module>#<export>/],
    [['m.ts#x'], /missing --out <dir>/],
    [['m.ts#x', '--out'], /--out needs a value/],
    [['m.ts#x', '--out', 'o', '--depth=-1'], /--depth must be a whole number ≥ 0, got '-1'/],
    [['m.ts#x', '--out', 'o', '--depth', '-1'], /--depth needs a value \(for a value that starts with '-', write --depth=<value>\)/],
    [['m.ts#x', '--out', '--workflow'], /--out needs a value/],
    [['m.ts#x', '--out', 'o', '--depth', 'two'], /got 'two'/],
    [['m.ts#', '--out', 'o'], /no export name after '#'/],
    [['#x', '--out', 'o'], /no module before '#'/],
    [['a.ts#x', 'b.ts#y', '--out', 'o'], /one <module>#<export> expected, got 'a.ts#x' and 'b.ts#y'/],
    [['m.ts#x', '--out', 'o', '--colour'], /unknown option '--colour'/],
  ])('rejects %j', (args, message) => {
    expect(() => parsePlotArgs(args)).toThrow(UsageError)
    expect(() => parsePlotArgs(args)).toThrow(message)
  })

  it('exits 2 with the usage on bad commands, modules and exports', async () => {
    expect(await cli()).toMatchObject({ code: 2, err: expect.stringContaining('missing command') })
    expect(await cli('draw')).toMatchObject({ code: 2, err: expect.stringContaining("unknown command 'draw'") })
    const missing = await cli('plot', 'fixtures/nope.ts#x', '--out', tmp)
    expect(missing.code).toBe(2)
    expect(missing.err).toMatch(/cannot import 'fixtures\/nope\.ts' \(.*fixtures\/nope\.ts\)/)
    const noExport = await cli('plot', 'fixtures/symmetric-cryptography/model.ts#model', '--out', tmp)
    expect(noExport.err).toMatch(/has no export 'model'; its exports: .*createModel.*dsp/)
    const notModel = await cli('plot', 'fixtures/symmetric-cryptography/model.ts#encryptMessage', '--out', tmp)
    expect(notModel.err).toMatch(/export 'encryptMessage' of .* is function, not a Dispatcher or Solution/)
    expect((await cli('--help')).code).toBe(0)
  })
})

describe('flowmark-docs plot output', () => {
  it('writes a self-contained page for a model, a factory and a workflow', async () => {
    const out = join(tmp, 'crypto')
    const r = await cli('plot', 'fixtures/symmetric-cryptography/model.ts#dsp', '--out', out, '--no-cache')
    expect(r).toMatchObject({ code: 0, err: '' })
    expect(r.out).toBe(`wrote ${join(out, 'index.html')}\n`)
    const html = readFileSync(join(out, 'index.html'), 'utf8')
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('<flowmark-graph id="fm-symmetric_cryptography"')
    expect(html).toMatch(/customElements\.define\(["']flowmark-graph["']/)
    expect(html).toContain('--fm-data: light-dark(#73c4fa')
    // Nothing is fetched: no external scripts, stylesheets or images.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!www\.w3\.org)/)

    const nested = join(tmp, 'nested')
    expect(
      (
        await cli(
          'plot',
          'fixtures/plot-sub-dispatcher/input.ts#model',
          '--out',
          nested,
          '--depth',
          '1',
          '--title',
          'Nested <demo>',
          '--no-cache',
        )
      ).code,
    ).toBe(0)
    const page = readFileSync(join(nested, 'index.html'), 'utf8')
    expect(page).toContain('<title>Nested &lt;demo&gt;</title>')
    expect(page.match(/<section class="fm-page"/g)).toHaveLength(3) // root, M, unused: depth 1 leaves M/I out
  })

  it('plots a portable model file, with the sub-model it refers to as a page', async () => {
    const out = join(tmp, 'order')
    expect(await cli('plot', 'fixtures/portable-model/model.json', '--out', out, '--no-cache')).toMatchObject({ code: 0, err: '' })
    const html = readFileSync(join(out, 'index.html'), 'utf8')
    expect(html).toContain('<flowmark-graph id="fm-order"')
    expect(html.match(/<section class="fm-page"/g)).toHaveLength(2) // order, and discount (from discount.json)
    const bad = await cli('plot', 'fixtures/portable-model/broken.json', '--out', join(tmp, 'broken'), '--no-cache')
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(
      /^flowmark-docs plot: invalid model: 2 problems\n {2}fixtures\/portable-model\/broken.json:6:47: reference of node 'vat'/,
    )
  })

  it('plots the last solution with --workflow', async () => {
    const mod = join(tmp, 'wf.ts')
    writeFileSync(
      mod,
      `import { model } from ${JSON.stringify(join(root, 'fixtures/plot-sub-dispatcher/input.ts'))}\nexport const dsp = model()\ndsp.dispatch({ x: 3 })\n`,
    )
    const out = join(tmp, 'wf')
    expect(await cli('plot', `${mod}#dsp`, '--out', out, '--workflow', '--no-cache')).toMatchObject({ code: 0 })
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('data-fm-kind="workflow"')
  })
})

describe('flowmark-docs doctest', () => {
  it('delegates to the doctest command', async () => {
    const help = await cli('doctest', '--help')
    expect(help.code).toBe(0)
    expect(help.out).toMatch(/^Usage: flowmark-docs doctest/)
    const none = await cli('doctest', 'fixtures/no-such-dir/*.md')
    expect(none.code).toBe(2)
  })
})
