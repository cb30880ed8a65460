// Worker thread of dispatcher discovery: imports the documented modules afresh and posts the docs back as plain data.
import { parentPort, workerData } from 'node:worker_threads'
import { discoverHere, type DiscoverWorkerReply } from './discover.ts'
import type { ApiModel } from './types.ts'

const { model, plotOptions } = workerData as { model: ApiModel; plotOptions: Readonly<Record<string, unknown>> | undefined }
let reply: DiscoverWorkerReply
try {
  reply = { ok: true, docs: await discoverHere(model, plotOptions === undefined ? {} : { plotOptions }) }
} catch (error) {
  reply = { ok: false, message: error instanceof Error ? error.message : String(error) }
}
parentPort?.postMessage(reply)
