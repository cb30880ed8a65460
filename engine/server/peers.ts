// Loads the optional packages `flowmark/server` runs on, turning a missing one into an error that says what to install.
import { ServerSetupError } from './errors.ts'

/** Whether `e` is Node's (or a bundler's) "module not found" for the package `name`. */
function notFound(e: unknown, name: string): boolean {
  const code = (e as { code?: unknown } | null)?.code
  const message = e instanceof Error ? e.message : String(e)
  return (
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    (message.includes(name) && /cannot find|not found|failed to resolve/i.test(message))
  )
}

/**
 * Imports the optional peer package `name` (through `load`, so bundlers see a literal specifier); when it is not
 * installed, throws a `ServerSetupError` naming the packages to install for `feature`.
 */
export async function importPeer<T>(name: string, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (e) {
    if (!notFound(e, name)) throw e
    throw new ServerSetupError(
      `${feature} needs the package '${name}', which is not installed; install it beside flowmark: ` +
        `\`npm install hono @hono/node-server\` (both are optional peer dependencies of flowmark, used only by flowmark/server)`,
      { cause: e },
    )
  }
}
