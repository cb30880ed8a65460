// Finds and launches a Chromium for the browser tests: FLOWMARK_CHROMIUM, a system Chromium/Chrome, then @sparticuz/chromium.
import { spawnSync } from 'node:child_process'
import { accessSync, constants, mkdirSync, rmdirSync, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { tmpdir } from 'node:os'
import { chromium, type Browser, type LaunchOptions } from 'playwright-core'

/** Where the browser came from: the environment variable, the system, or the npm package `@sparticuz/chromium`. */
export type BrowserSource = 'env' | 'system' | 'npm'

/** A browser found by {@link findBrowser}: what to launch and with which command-line flags. */
export interface BrowserChoice {
  /** The executable. */
  readonly executablePath: string
  /** Flags for `chromium.launch({ args })`. */
  readonly args: readonly string[]
  /** Where it was found. */
  readonly source: BrowserSource
}

/** Thrown when no browser can be found: the message says how to get one. */
export class NoBrowserError extends Error {
  constructor(tried: readonly string[]) {
    super(
      'No Chromium for the browser tests. Tried:\n' +
        tried.map((t) => `  - ${t}`).join('\n') +
        '\n' +
        'Get one of: `npm install` in the repository (the dev dependency @sparticuz/chromium ships a headless Chromium ' +
        'for Linux x64/arm64); a system Chromium or Chrome (e.g. `apt-get install chromium`); or set ' +
        'FLOWMARK_CHROMIUM=/path/to/chrome.',
    )
    this.name = 'NoBrowserError'
  }
}

/** The environment variable naming a browser executable; `npm` skips the system lookup and uses @sparticuz/chromium. */
export const BROWSER_ENV = 'FLOWMARK_CHROMIUM'

/** Executable names looked up on PATH, in order, when the environment variable is not set. */
export const SYSTEM_BROWSER_NAMES: readonly string[] = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome', 'chrome']

/** Absolute paths tried after PATH (macOS has no chromium on PATH). */
export const SYSTEM_BROWSER_PATHS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/lib/chromium/chromium',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
]

/**
 * Flags for Chromium run headless in tests (no network chatter, no sandbox for root in CI). The packaged browser gets
 * the same ones rather than @sparticuz/chromium's `args`, which are tuned for serverless functions (single process,
 * web security off, software GL) and made screenshots of large pages time out here.
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

function onPath(name: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) if (dir !== '' && executable(join(dir, name))) return join(dir, name)
  return undefined
}

/** Waits for a lock folder (the package extracts its browser into one temp folder; two test files may ask at once). */
async function withLock<T>(name: string, run: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), name)
  const end = Date.now() + 180_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      // A lock older than the wait is left over from a killed run.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmdirSync(lock)
      } catch {
        // taken by someone else meanwhile
      }
      if (Date.now() > end)
        throw new Error(`waited 3 minutes for ${lock}: remove it if no test run is extracting the browser`, { cause: e })
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  try {
    return await run()
  } finally {
    rmdirSync(lock)
  }
}

/**
 * Finds a browser: `FLOWMARK_CHROMIUM` (a path; `npm` for the packaged one), else a system Chromium or Chrome on PATH or
 * at a usual place, else the headless Chromium inside the npm package `@sparticuz/chromium` (extracted once into the
 * temp folder). Throws {@link NoBrowserError}, saying how to get one, when none is found: browser tests never skip.
 */
export async function findBrowser(env: NodeJS.ProcessEnv = process.env): Promise<BrowserChoice> {
  const tried: string[] = []
  const wanted = env[BROWSER_ENV]
  if (wanted !== undefined && wanted !== '' && wanted !== 'npm') {
    if (executable(wanted)) return { executablePath: wanted, args: ARGS, source: 'env' }
    throw new NoBrowserError([`${BROWSER_ENV}=${wanted}: not an executable file`])
  }
  if (wanted !== 'npm') {
    for (const name of SYSTEM_BROWSER_NAMES) {
      const found = onPath(name, env['PATH'])
      if (found !== undefined) return { executablePath: found, args: ARGS, source: 'system' }
    }
    for (const path of SYSTEM_BROWSER_PATHS) if (executable(path)) return { executablePath: path, args: ARGS, source: 'system' }
    tried.push(`system: ${SYSTEM_BROWSER_NAMES.join(', ')} on PATH; ${SYSTEM_BROWSER_PATHS.join(', ')}`)
  } else {
    tried.push(`system browsers: skipped (${BROWSER_ENV}=npm)`)
  }
  try {
    const { default: packaged } = await import('@sparticuz/chromium')
    const path = await withLock('flowmark-chromium.lock', () => packaged.executablePath())
    if (executable(path)) return { executablePath: path, args: ARGS, source: 'npm' }
    tried.push(`@sparticuz/chromium: extracted ${path}, which is not executable`)
  } catch (e) {
    tried.push(`@sparticuz/chromium: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
  }
  throw new NoBrowserError(tried)
}

/** Families with the metrics of Times, the font Graphviz lays labels out for (see {@link checkLayoutFont}). */
const TIMES_METRICS = /^(Liberation Serif|Times New Roman|Times|Nimbus Roman|Nimbus Roman No9 L|Tinos|TeX Gyre Termes)$/i

/**
 * The family fontconfig gives for `Times` on this machine, or undefined where there is no fontconfig (macOS and
 * Windows ship Times). Graphviz sizes graph labels for Times: another serif (DejaVu Serif is 15–20% wider) overflows
 * the boxes, so the readability checks of the browser tests would fail for a reason that is the machine's.
 */
export function timesFont(): string | undefined {
  const r = spawnSync('fc-match', ['-f', '%{family[0]}', 'Times'], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined
}

/** Throws, saying what to install, when fontconfig maps Times to a font of other metrics. */
export function checkLayoutFont(family: string | undefined = timesFont()): void {
  if (family === undefined || TIMES_METRICS.test(family)) return
  throw new Error(
    `The browser tests need a font with the metrics of Times (Graphviz lays labels out for it), but fontconfig maps ` +
      `Times to ${JSON.stringify(family)}, so graph labels would overflow their boxes. Install one, e.g. ` +
      '`apt-get install fonts-liberation` (.ci/run does it when missing).',
  )
}

/** Launches the browser {@link findBrowser} finds, with playwright-core (after {@link checkLayoutFont}). */
export async function launchBrowser(options: Omit<LaunchOptions, 'executablePath' | 'args'> = {}): Promise<Browser> {
  checkLayoutFont()
  const choice = await findBrowser()
  return chromium.launch({ ...options, executablePath: choice.executablePath, args: [...choice.args] })
}
