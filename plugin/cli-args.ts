// Command-line parsing shared by `flowmark-docs` and `flowmark-docs doctest`: node:util parseArgs errors in the commands' words.

/**
 * The message of a `node:util` `parseArgs` error, said the way the Flowmark commands say it: `unknown option '--x'`,
 * `--out needs a value`, and for a value that starts with `-` how to pass it (`--depth=<value>`).
 * @param error What `parseArgs` threw.
 * @returns A one-line message without final period.
 */
export function argsErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const code = (error as { code?: unknown } | null)?.code
  const flag = /'(?:-\w, )?(--?[\w-]+)(?: <value>)?'/.exec(message)?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) return `unknown option '${flag}'`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
    return /ambiguous/.test(message)
      ? `${flag} needs a value (for a value that starts with '-', write ${flag}=<value>)`
      : `${flag} needs a value`
  }
  return message.replace(/\.$/, '')
}
