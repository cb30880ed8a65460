// Differential replay against schedula, the cases outside the unit sample: with the integration tests (`npm test`).
import { describe } from 'vitest'
import { inUnitSample, recorded, REPLAY_TITLE, replayCases } from './schedula/replay.ts'

describe(REPLAY_TITLE, () => {
  replayCases(recorded.cases.filter((c) => !inUnitSample(c)))
})
