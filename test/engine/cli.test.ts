// `flowmark run` / `flowmark validate`: the solution as JSON on stdout, progress on a terminal, exit codes 0, 1, 2.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../engine/cli.ts'

const ROOT = join(import.meta.dirname, '..', '..')

async function cli(args: string[], options: { stdin?: string; tty?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const io = {
    stdout: {
      write: (t: string) => {
        out += t
      },
    },
    stderr: {
      write: (t: string) => {
        err += t
      },
      isTTY: options.tty ?? false,
    },
    cwd: ROOT,
    ...(options.stdin === undefined
      ? {}
      : {
          stdin: (async function* () {
            yield options.stdin!
          })(),
        }),
  }
  const code = await main(args, io)
  return { code, out, err }
}

describe('flowmark run', () => {
  it('prints values, errors and distances, and exits 0 when the outputs were computed', async () => {
    const r = await cli([
      'run',
      'fixtures/portable-model/model.json',
      '--inputs',
      'fixtures/portable-model/inputs.json',
      '--outputs',
      'total',
    ])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const sol = JSON.parse(r.out)
    expect(sol.values).toEqual({ price: 2.5, quantity: 20, vat_rate: 0.2, net: 50, discounted: 45, total: 54 })
    expect(sol.errors).toEqual({})
    expect(sol.dist.total).toBe(6)
    expect(sol.subSolutions.discount.values.reduced).toBe(45)
  })

  it('reads the inputs from stdin with "-", decoding $type tags', async () => {
    const r = await cli(['run', 'fixtures/portable-model/model.json', '--inputs', '-'], {
      stdin: '{"price": 2, "quantity": {"$type": "number", "value": "Infinity"}}',
    })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out).values.total).toEqual({ $type: 'number', value: 'Infinity' })
  })

  it('exits 1 when a requested output could not be computed', async () => {
    const r = await cli(['run', 'fixtures/portable-model/model.json', '--outputs', 'total'])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out).values).toEqual({ vat_rate: 0.2 })
    expect(r.err).toBe('flowmark run: not computed: "total"\n')
  })

  it('exits 2 on an invalid model, listing the problems with their positions', async () => {
    const r = await cli(['run', 'fixtures/portable-model/model.json', '--outputs', 'totl'])
    expect(r.code).toBe(2)
    expect(r.out).toBe('')
    expect(r.err).toBe(
      'flowmark run: invalid model: 1 problem\n  fixtures/portable-model/model.json:1:1: requested output "totl" is not a node of the model (did you mean "total"?) (at /)\n',
    )
  })

  it('exits 2 on arguments it does not know, rather than ignoring them', async () => {
    const r = await cli(['run', 'fixtures/portable-model/model.json', '--executors', 'async'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/^flowmark run: Unknown option '--executors'/)
    expect((await cli(['run', 'fixtures/portable-model/model.json', '--executor', 'threads'])).err).toMatch(
      /^flowmark run: --executor takes 'async' \(calls run in this process\) or 'workers' \(on worker threads\), not 'threads'\n/,
    )
    expect((await cli(['run', 'fixtures/portable-model/model.json', '--workers', '2'])).err).toMatch(
      /^flowmark run: --workers N goes with --executor workers\n/,
    )
    for (const n of ['0', '1.5', 'all']) {
      const bad = await cli(['run', 'fixtures/portable-model/model.json', '--executor', 'workers', '--workers', n])
      expect([bad.code, bad.err.split('\n')[0]]).toEqual([
        2,
        `flowmark run: --workers takes a whole number of threads, at least 1, not '${n}'`,
      ])
    }
    for (const n of ['0', '1.5', 'many']) {
      const bad = await cli(['run', 'fixtures/portable-model/model.json', '--concurrency', n])
      expect([bad.code, bad.err.split('\n')[0]]).toEqual([
        2,
        `flowmark run: --concurrency takes a whole number of calls, at least 1 (or Infinity), not '${n}'`,
      ])
    }
    expect((await cli(['run', 'fixtures/portable-model/model.json', '--timeout=-5'])).err).toMatch(
      /^flowmark run: --timeout takes a positive number of milliseconds, not '-5'/,
    )
    expect((await cli(['run'])).code).toBe(2)
  })

  it('runs a module#export model', async () => {
    const r = await cli(['run', 'fixtures/directive-leaf-from/model.ts#fuel', '--inputs', '-', '--outputs', 'litres'], {
      stdin: '{"distance": 100}',
    })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out).values.litres).toBeCloseTo(7)
  })

  it('runs async functions through dispatchAsync, with --executor and --concurrency', async () => {
    for (const extra of [[], ['--executor', 'async', '--concurrency', '1'], ['--concurrency', 'Infinity']]) {
      const r = await cli(['run', 'fixtures/portable-model/async.json', '--inputs', '-', '--outputs', 'total', ...extra], {
        stdin: '{"country": "FR", "net": 100}',
      })
      expect([r.code, r.err]).toEqual([0, ''])
      const sol = JSON.parse(r.out)
      expect(sol.values).toEqual({ country: 'FR', net: 100, rate: 0.2, total: 120 })
      expect(sol.errors.rate_service).toMatch(/'rate_service' took longer than its timeout of 50 ms/)
    }
  })

  it('runs the function nodes on worker threads with --executor workers --workers N', async () => {
    const args = ['run', 'fixtures/workers/model.json', '--inputs', '-', '--outputs', 'thread']
    const r = await cli([...args, '--executor', 'workers', '--workers', '2'], { stdin: '{"text": "hi", "rounds": 10}' })
    expect([r.code, r.err]).toEqual([0, ''])
    const { thread, ...values } = JSON.parse(r.out).values
    expect(thread).toBeGreaterThan(0) // a worker's threadId; the main thread's is 0
    const here = JSON.parse((await cli(args, { stdin: '{"text": "hi", "rounds": 10}' })).out).values
    expect(here).toEqual({ ...values, thread: 0 })
  })

  it('stops at --timeout (the whole dispatch) with the partial solution and exits 1', async () => {
    // The dispatch's 30 ms run out while the first-choice rate service waits for its own 50 ms timeout.
    const r = await cli(['run', 'fixtures/portable-model/async.json', '--inputs', '-', '--outputs', 'total', '--timeout', '30'], {
      stdin: '{"country": "FR", "net": 100}',
    })
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out).values).toEqual({ country: 'FR', net: 100 })
    expect(r.err).toBe('flowmark run: stopped after --timeout 30 ms; the solution above is partial\n')
  })

  it('exits 1 with the partial solution when a critical node fails', async () => {
    const r = await cli(['run', 'fixtures/portable-model/async.json', '--inputs', '-'], {
      stdin: '{"country": "FR", "net": "a hundred", "rate": {"$type": "bigint", "value": "1"}}',
    })
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out).values).toEqual({ country: 'FR', net: 'a hundred', rate: { $type: 'bigint', value: '1' } })
    expect(r.err).toMatch(/^flowmark run: stopped: .*'gross'.*; the solution above is partial\n$/s)
  })

  it('shows a progress line on a terminal: nodes done, running, failed', async () => {
    const r = await cli(['run', 'fixtures/portable-model/model.json', '--inputs', 'fixtures/portable-model/inputs.json'], { tty: true })
    expect(r.code).toBe(0)
    expect(r.err).toMatch(/^\r\x1b\[K.*\r\x1b\[Kflowmark run: 3 done, 0 running, 0 failed, 6 values in \d+ ms\n$/s)
    const slow = await cli(['run', 'fixtures/portable-model/async.json', '--inputs', '-'], {
      tty: true,
      stdin: '{"country": "FR", "net": 100}',
    })
    expect(slow.err).toMatch(/\r\x1b\[Kflowmark run: 2 done, 0 running, 1 failed, 4 values in \d+ ms\n$/)
  })

  it('runs an ephemeral job map', async () => {
    const r = await cli(['run', 'fixtures/ephemeral-example/job.json', '--outputs', 'out'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out).values.out).toEqual([{ output: 'this is our test string input: This is a test!' }])
  })
})

describe('flowmark validate and --version', () => {
  it('validates a model without running it', async () => {
    expect(await cli(['validate', 'fixtures/portable-model/model.json'])).toEqual({
      code: 0,
      out: 'fixtures/portable-model/model.json: valid (15 nodes: 4 functions, 1 sub-dispatcher)\n',
      err: '',
    })
  })

  it('exits 2 on a reference that does not resolve', async () => {
    const r = await cli(['validate', 'fixtures/portable-model/broken.json'])
    expect(r.code).toBe(2)
    expect(r.err).toBe(
      'flowmark validate: invalid model: 2 problems\n' +
        "  fixtures/portable-model/broken.json:6:47: reference of node 'vat' \"./work.ts#VAT_RATE\": export 'VAT_RATE' is number, not a function (at /nodes/1/ref)\n" +
        "  fixtures/portable-model/broken.json:7:53: reference of node 'add_total' \"./work.ts#add_vat\": the module has no export 'add_vat'; its function exports: addVat, applyDiscount, isBulk, same, subtotal (at /nodes/2/ref)\n",
    )
  })

  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'engine', 'package.json'), 'utf8')) as { version: string }
    expect(await cli(['--version'])).toEqual({ code: 0, out: `${version}\n`, err: '' })
  })
})
