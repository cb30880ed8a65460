// The Node versions the docs toolchain runs on, and the one-line message for any other (checked at CLI start).

/**
 * The supported Node range, as in `engines` of package.json: `module.stripTypeScriptTypes` (doctest) needs 22.13,
 * importing a `.ts` model without flags needs type stripping on by default (22.18, 23.6).
 */
export const NODE_RANGE = '^22.18.0 || >=23.6.0'

/** Whether Node `version` (`22.18.0`, `v24.1.0`) is in {@link NODE_RANGE}. */
export function supportsNode(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number)
  return major === 22 ? minor >= 18 : major === 23 ? minor >= 6 : major > 23
}

/**
 * The message for an unsupported Node (undefined when `version` is supported): what is needed, what runs, and how to
 * get a suitable Node without touching the system one (the `node` package as a dev dependency: npm scripts and `npx`
 * then run on it).
 * @param command The command's name, for the message.
 */
export function nodeVersionProblem(command: string, version: string = process.versions.node): string | undefined {
  if (supportsNode(version)) return undefined
  return (
    `${command} needs Node ${NODE_RANGE}, but this is Node ${version.replace(/^v/, '')}: install a newer Node, ` +
    'or add one to this project with `npm install --save-dev node@24` (npm scripts and npx then run on it).'
  )
}
