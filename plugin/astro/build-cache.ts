// Build-level cache of `astro build`: a digest of every input and a manifest of the output, so an unchanged site is not built again.
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { parseArgs } from 'node:util'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/** Environment variable that turns the build cache off (`0`, `false`, `off`, `no`): every run builds. */
export const BUILD_CACHE_ENV = 'FLOWMARK_BUILD_CACHE'

/** Bumped when the record's shape or the meaning of its digests changes (older records then never match). */
const RECORD_VERSION = 1

/** Environment variables whose values can change what a build writes, by prefix (or full name). */
const ENV_PREFIXES = ['ASTRO_', 'FLOWMARK_', 'PUBLIC_', 'VITE_', 'NODE_OPTIONS', 'NODE_ENV', 'CI']

/** File name of the record in `<cacheDir>/build/`. */
const RECORD_FILE = 'record.json'

/** What the last successful build saw and wrote: `<cacheDir>/build/record.json`. */
export interface BuildRecord {
  readonly version: number
  /** Digest of the environment: Node version, platform, build arguments, build-related environment variables. */
  readonly environment: string
  /** Every input file (paths relative to the root, `/`-separated) with its content digest, sorted by path. */
  readonly inputs: readonly (readonly [string, string])[]
  /** The output folder (relative to the root) and each file in it with its content digest, sorted by path. */
  readonly outDir: string
  readonly outputs: readonly (readonly [string, string])[]
  /** When the build finished (ISO time), for messages. */
  readonly builtAt: string
}

/** The answer of {@link checkBuild}: up to date, or why not. */
export type BuildCheck = { readonly upToDate: true; readonly record: BuildRecord } | { readonly upToDate: false; readonly reason: string }

/** The inputs and environment of a build about to run (see {@link fingerprint}). */
export interface Fingerprint {
  readonly environment: string
  readonly inputs: readonly (readonly [string, string])[]
}

/** A problem with the arguments of `flowmark-docs build`. */
export class BuildUsageError extends FlowmarkPluginError {
  static {
    nameError(this, 'BuildUsageError')
  }
}

/**
 * The input files of a site build under `root`: every file Git would consider (tracked or untracked, minus what
 * `.gitignore` excludes), or, outside a Git work tree, every file except `node_modules`, dot-folders and `exclude`.
 * The output and cache folders are always left out. npm's lockfiles are always in, so an install counts.
 * @param root The project root.
 * @param exclude Absolute folders to leave out (the output folder, the cache folder).
 * @returns Paths relative to `root`, `/`-separated, sorted.
 */
export function inputFiles(root: string, exclude: readonly string[]): string[] {
  let files: string[]
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    })
    files = out.split('\0').filter((f) => f !== '')
  } catch {
    files = walk(root, root)
  }
  const skipped = exclude.map((dir) => relative(root, dir).split(sep).join('/')).filter((rel) => rel !== '' && !rel.startsWith('..'))
  const kept = new Set(files.filter((file) => !skipped.some((dir) => file === dir || file.startsWith(`${dir}/`))))
  for (const lock of ['package-lock.json', 'node_modules/.package-lock.json', 'npm-shrinkwrap.json'])
    if (existsSync(join(root, lock))) kept.add(lock)
  return [...kept].sort()
}

function walk(root: string, dir: string): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...walk(root, path))
    else if (entry.isFile()) files.push(relative(root, path).split(sep).join('/'))
  }
  return files
}

/** Hex digits of a file digest in a build record. */
const DIGEST_LENGTH = 32

/** SHA-256 of a file's content (its first {@link DIGEST_LENGTH} hex digits), or `missing`. */
function digestFile(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, DIGEST_LENGTH)
  } catch {
    return 'missing'
  }
}

/**
 * The fingerprint of a build about to run: the content digest of every input file (see {@link inputFiles}) plus
 * `extraFiles` (files outside those, such as installed modules the examples loaded), and a digest of the environment.
 * @param root The project root.
 * @param options `exclude`: folders left out; `extraFiles`: more inputs (absolute, or relative to the root); `args`:
 *   the build's arguments; `env`: the environment (default `process.env`).
 */
export function fingerprint(
  root: string,
  options: {
    readonly exclude: readonly string[]
    readonly extraFiles?: readonly string[]
    readonly args?: readonly string[]
    readonly env?: Readonly<Record<string, string | undefined>>
  },
): Fingerprint {
  const names = new Set(inputFiles(root, options.exclude))
  for (const file of options.extraFiles ?? []) {
    const rel = relative(root, resolve(root, file)).split(sep).join('/')
    if (!options.exclude.some((dir) => !relative(dir, resolve(root, file)).startsWith('..'))) names.add(rel)
  }
  const inputs = [...names].sort().map((rel): [string, string] => [rel, digestFile(resolve(root, rel))])
  const env = options.env ?? process.env
  const vars = Object.keys(env)
    .filter((k) => k !== BUILD_CACHE_ENV && ENV_PREFIXES.some((p) => k === p || k.startsWith(p)))
    .sort()
  const environment = createHash('sha256')
    .update(JSON.stringify([process.version, process.platform, process.arch, options.args ?? [], vars.map((k) => [k, env[k]])]))
    .digest('hex')
    .slice(0, 32)
  return { environment, inputs }
}

/**
 * Every file of an output folder with its content digest.
 * @param outDir Absolute path of the folder.
 * @returns Pairs of path (relative to `outDir`, `/`-separated) and digest, sorted by path; empty when the folder is missing.
 */
export function outputManifest(outDir: string): [string, string][] {
  if (!existsSync(outDir)) return []
  return walkAll(outDir, outDir)
    .sort()
    .map((rel): [string, string] => [rel, digestFile(join(outDir, rel))])
}

function walkAll(root: string, dir: string): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...walkAll(root, path))
    else files.push(relative(root, path).split(sep).join('/'))
  }
  return files
}

/**
 * Where the record of the last successful build is kept.
 * @param cacheDir Absolute path of Flowmark's cache folder.
 */
export function recordPath(cacheDir: string): string {
  return join(cacheDir, 'build', RECORD_FILE)
}

/**
 * Read the record of the last successful build.
 * @param file Its path (see {@link recordPath}).
 * @returns The record, or `undefined` when there is none or it is unreadable or of another version.
 */
export function readRecord(file: string): BuildRecord | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<BuildRecord>
    if (data.version !== RECORD_VERSION || typeof data.environment !== 'string' || typeof data.outDir !== 'string') return undefined
    if (!Array.isArray(data.inputs) || !Array.isArray(data.outputs) || typeof data.builtAt !== 'string') return undefined
    return data as BuildRecord
  } catch {
    return undefined
  }
}

/**
 * Write a build record (atomically: a reader sees the old one or the new one).
 * @param file Its path.
 * @param record The record.
 */
export function writeRecord(file: string, record: BuildRecord): void {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(record) + '\n')
  renameSync(tmp, file)
}

/**
 * Whether a build would produce what the output folder already holds: the record's environment and every input
 * digest equal the current ones, and the output folder holds exactly the files the record lists, with the same
 * contents (a deleted, added or edited output file means a rebuild).
 * @param root The project root.
 * @param record The last successful build's record (`undefined`: none).
 * @param now The current fingerprint, made with the record's extra files (see {@link fingerprint}).
 */
export function checkBuild(root: string, record: BuildRecord | undefined, now: Fingerprint): BuildCheck {
  if (record === undefined) return { upToDate: false, reason: 'no earlier successful build is recorded' }
  if (record.environment !== now.environment)
    return { upToDate: false, reason: 'the Node version, the build arguments or a build-related environment variable changed' }
  const changed = differences(record.inputs, now.inputs)
  if (changed.length > 0) return { upToDate: false, reason: `${describeList(changed)} changed` }
  const outputs = differences(record.outputs, outputManifest(resolve(root, record.outDir)))
  if (outputs.length > 0)
    return { upToDate: false, reason: `the output in ${record.outDir} differs from what the last build wrote (${describeList(outputs)})` }
  return { upToDate: true, record }
}

/** Paths whose digest differs between two sorted lists, or that only one of them has. */
function differences(before: readonly (readonly [string, string])[], after: readonly (readonly [string, string])[]): string[] {
  const old = new Map(before.map(([f, d]) => [f, d]))
  const changed: string[] = []
  for (const [file, digest] of after) {
    if (old.get(file) !== digest) changed.push(file)
    old.delete(file)
  }
  changed.push(...old.keys())
  return changed.sort()
}

function describeList(files: readonly string[]): string {
  const shown = files.slice(0, 3).join(', ')
  return files.length === 1 ? shown : `${files.length} files (${shown}${files.length > 3 ? ', …' : ''})`
}

/** Options of {@link docsBuild} (`flowmark-docs build`). */
export interface DocsBuildOptions {
  /** Build even when nothing changed (`--force`). */
  readonly force: boolean
  /** Flowmark's cache folder (`--cache-dir`, default `node_modules/.cache/flowmark`). */
  readonly cacheDir: string
  /** The output folder when the integration does not report it (`--out`, default `dist`). */
  readonly outDir: string
  /** Arguments passed on to `astro build` (after `--`). */
  readonly astroArgs: readonly string[]
}

/** The help text of `flowmark-docs build`. */
export const BUILD_USAGE = `Usage: flowmark-docs build [--force] [--cache-dir <dir>] [--out <dir>] [-- <astro build arguments>]
  Run \`astro build\` in the current folder, unless nothing it reads has changed since the last successful build
  and its output folder is as that build left it; then say "up to date" and exit 0.
  Inputs: every file Git sees in the project (tracked or not ignored), npm's lockfiles, every module the examples
  loaded (installed packages included), the Node version, the arguments, and the ASTRO_*, FLOWMARK_*, PUBLIC_*,
  VITE_*, NODE_OPTIONS, NODE_ENV and CI environment variables.
    --force            build even when nothing changed (also: ${BUILD_CACHE_ENV}=0)
    --cache-dir <dir>  Flowmark's cache folder (default node_modules/.cache/flowmark); the record is build/record.json
    --out <dir>        output folder when the Flowmark integration does not report it (default dist)
`

/**
 * Parse the arguments of `flowmark-docs build`.
 * @param args The arguments after `build`.
 * @throws {BuildUsageError} For an unknown option.
 */
export function parseBuildArgs(args: readonly string[]): DocsBuildOptions & { readonly help: boolean } {
  const split = args.indexOf('--')
  const own = split < 0 ? [...args] : args.slice(0, split)
  let values
  try {
    values = parseArgs({
      args: own,
      allowPositionals: false,
      options: {
        force: { type: 'boolean' },
        'cache-dir': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (e) {
    throw new BuildUsageError(`${e instanceof Error ? e.message : String(e)} (see \`flowmark-docs build --help\`)`)
  }
  return {
    force: values.force === true,
    help: values.help === true,
    cacheDir: values['cache-dir'] ?? join('node_modules', '.cache', 'flowmark'),
    outDir: values.out ?? 'dist',
    astroArgs: split < 0 ? [] : args.slice(split + 1),
  }
}

/** What the Flowmark integration leaves in `<cacheDir>/doctest/build-state.json` that the build cache reads. */
interface IntegrationState {
  readonly outDir?: string
  readonly status?: string
  readonly files?: readonly (readonly [string, string])[]
}

function readIntegrationState(cacheDir: string): IntegrationState | undefined {
  try {
    return JSON.parse(readFileSync(join(cacheDir, 'doctest', 'build-state.json'), 'utf8')) as IntegrationState
  } catch {
    return undefined
  }
}

/** Streams, folder and environment of {@link docsBuild}. */
export interface BuildIO {
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown }
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
}

/**
 * `flowmark-docs build`: `astro build` in `io.cwd`, skipped when {@link checkBuild} says the output is up to date.
 * After a build that exits 0 and whose examples all passed, the inputs it read and the files it wrote are recorded;
 * after any other build the record is removed.
 * @param options Parsed arguments (see {@link parseBuildArgs}).
 * @param io Streams, working directory, environment.
 * @returns The exit status (`astro build`'s when it ran).
 */
export async function docsBuild(options: DocsBuildOptions, io: BuildIO): Promise<number> {
  const root = io.cwd
  const cacheDir = resolve(root, options.cacheDir)
  const record = recordPath(cacheDir)
  const previous = readRecord(record)
  const outDir = resolve(root, previous?.outDir ?? readIntegrationState(cacheDir)?.outDir ?? options.outDir)
  const extra = (state: IntegrationState | undefined): string[] => (state?.files ?? []).map(([f]) => f)
  const off = /^(0|false|off|no)$/i.test(io.env[BUILD_CACHE_ENV] ?? '')
  const exclude = [outDir, cacheDir]
  const before = fingerprint(root, { exclude, extraFiles: extra(readIntegrationState(cacheDir)), args: options.astroArgs, env: io.env })
  if (!options.force && !off) {
    const check = checkBuild(root, previous, before)
    if (check.upToDate) {
      io.stdout.write(
        `flowmark-docs build: up to date: ${check.record.inputs.length} input files and the ${check.record.outputs.length} files in ${check.record.outDir} are as the build of ${check.record.builtAt} left them (--force or ${BUILD_CACHE_ENV}=0 builds anyway)\n`,
      )
      return 0
    }
    io.stdout.write(`flowmark-docs build: building, because ${check.reason}\n`)
  }
  rmSync(record, { force: true })
  const astro = join(dirname(createRequire(join(root, 'package.json')).resolve('astro/package.json')), 'bin', 'astro.mjs')
  const status = await runAstro(process.execPath, [...process.execArgv, astro, 'build', ...options.astroArgs], io)
  if (status !== 0) return status
  const state = readIntegrationState(cacheDir)
  // A build whose examples failed under `doctest: 'warn'` passes, but must run again next time.
  if (state !== undefined && state.status !== 'passed') return status
  const built = resolve(root, state?.outDir ?? relative(root, outDir))
  // Inputs as they were when the build started; files only this build's examples loaded join with their digests then.
  const known = new Set(before.inputs.map(([f]) => f))
  // The integration's digests are whole SHA-256 digests; the record keeps the length {@link digestFile} makes, or
  // the next build would see every such file as changed.
  const loaded = (state?.files ?? [])
    .map(([f, d]): [string, string] => [relative(root, f).split(sep).join('/'), d.slice(0, DIGEST_LENGTH)])
    .filter(([f]) => !known.has(f) && !isAbsolute(f) && !exclude.some((dir) => !relative(dir, resolve(root, f)).startsWith('..')))
  writeRecord(record, {
    version: RECORD_VERSION,
    environment: before.environment,
    inputs: [...before.inputs, ...loaded].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    outDir: relative(root, built).split(sep).join('/'),
    outputs: outputManifest(built),
    builtAt: new Date().toISOString(),
  })
  return status
}

/** Runs `astro build`; its output goes to the terminal as it is, or through `io`'s streams when they are others. */
function runAstro(command: string, args: readonly string[], io: BuildIO): Promise<number> {
  const inherit = io.stdout === process.stdout && io.stderr === process.stderr
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: io.cwd, env: { ...io.env }, stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] })
    child.stdout?.on('data', (chunk: Buffer) => io.stdout.write(chunk.toString('utf8')))
    child.stderr?.on('data', (chunk: Buffer) => io.stderr.write(chunk.toString('utf8')))
    child.on('error', (error) => {
      io.stderr.write(`flowmark-docs build: could not start astro build: ${error.message}\n`)
      done(1)
    })
    child.on('close', (code, signal) => done(code ?? (signal === null ? 1 : 128)))
  })
}
