// Entry of the session worker: starts recording module resolutions, then loads the worker itself (so its graph is recorded).
import { installTracker } from './module-tracker.ts'

installTracker()
await import(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js')
