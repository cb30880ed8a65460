// Pipe solutions against SubDispatchFunction's over the replay's models outside the unit sample: integration tests.
import { describe, expect, it } from 'vitest'
import { comparePipeSolutions, PIPE_TEST, PIPE_TITLE } from './schedula/pipe-compare.ts'
import { inUnitSample, recorded } from './schedula/replay.ts'

describe(PIPE_TITLE, () => {
  it(PIPE_TEST, () => {
    expect(comparePipeSolutions(recorded.cases.filter((c) => !inUnitSample(c)))).toBeGreaterThan(175) // 196 calls (and 27 in the unit sample: 223 in all)
  })
})
