// Run by exits.test.ts as its own process: imports flowmark/workers as if piscina were not installed.
import { registerHooks } from 'node:module'

registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'piscina') {
      throw Object.assign(new Error(`Cannot find package 'piscina' imported from ${context.parentURL ?? '?'}`), {
        code: 'ERR_MODULE_NOT_FOUND',
      })
    }
    return next(specifier, context)
  },
})
try {
  await import('../../engine/workers/index.ts')
  console.log('imported')
} catch (e) {
  const err = e as Error & { problem?: string }
  console.log(`${err.name} ${String(err.problem)}: ${err.message}`)
}
