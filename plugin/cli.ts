#!/usr/bin/env node
// The `flowmark-docs` command line: `plot` writes a self-contained HTML page of a model's graph; `doctest` runs doctests.
import { mkdir, writeFile } from 'node:fs/promises'
import { realpathSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type { PlotJSON } from 'flowmark/plot'
import { argsErrorMessage } from './cli-args.ts'
import { GraphRenderer, renderPlot, standalonePage } from './render/index.ts'
import type { CliIO } from './doctest/cli.ts'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from './core/errors.ts'
import { DOCS_PLOT_DEFAULTS } from './core/types.ts'

/** A mistake in the command line; `main` prints it with the usage text and exits with status 2. */
export class UsageError extends FlowmarkPluginError {
  static {
    nameError(this, 'UsageError')
  }
}

/** The help text of `flowmark-docs`. */
export const USAGE = `Usage:
  flowmark-docs plot <module>#<export | model.json> --out <dir> [options]
      Import <module> (a file path, or a package name), call .plot() on its export <export> (a Dispatcher, a
      Solution, or a function without parameters returning one; "default" when #<export> is left out), or load
      a portable model file, and write <dir>/index.html: the graph with its sub-model pages, the interactive
      viewer inlined, no network needed.
        --out, -o <dir>    output directory (created if missing)                              [required]
        --workflow         draw the workflow (what the last dispatch reached) instead of the model
        --depth <N>        levels of sub-model pages (0 = only the top page; default: all)
        --title <text>     page title (default: the model's name)
        --cache <dir>      SVG cache directory (default node_modules/.cache/flowmark/svg)
        --no-cache         lay out every page again
  flowmark-docs doctest [args]   run the Markdown doctests (see \`flowmark-docs doctest --help\`)
  flowmark-docs build [args]     \`astro build\`, unless nothing changed since the last one (see \`flowmark-docs build --help\`)
  flowmark-docs --help           this text
  flowmark-docs --version        the version of @flowmark/docs
`

/** Parsed options of `flowmark-docs plot`. */
export interface PlotCommand {
  readonly module: string
  readonly exportName: string
  readonly out: string
  readonly workflow: boolean
  readonly depth: number | undefined
  readonly title: string | undefined
  readonly cache: string | false | undefined
}

/** Parses the arguments after `plot` (with `node:util` parseArgs); throws `UsageError` on anything it does not understand. */
export function parsePlotArgs(args: readonly string[]): PlotCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        workflow: { type: 'boolean' },
        depth: { type: 'string' },
        title: { type: 'string' },
        cache: { type: 'string' },
        'no-cache': { type: 'boolean' },
      },
    })
  } catch (e) {
    throw new UsageError(argsErrorMessage(e))
  }
  const { values, positionals } = parsed
  if (positionals.length > 1) throw new UsageError(`one <module>#<export> expected, got '${positionals[0]}' and '${positionals[1]}'`)
  const target = positionals[0]
  const out = values.out
  const workflow = values.workflow === true
  const title = values.title
  const cache: string | false | undefined = values['no-cache'] === true ? false : values.cache
  let depth: number | undefined
  if (values.depth !== undefined) {
    const n = Number(values.depth)
    if (values.depth.trim() === '' || !Number.isInteger(n) || n < 0)
      throw new UsageError(`--depth must be a whole number ≥ 0, got '${values.depth}'`)
    depth = n
  }
  if (target === undefined) throw new UsageError('missing <module>#<export>, e.g. ./model.ts#dsp')
  if (out === undefined) throw new UsageError('missing --out <dir>')
  const hash = target.lastIndexOf('#')
  const module = hash < 0 ? target : target.slice(0, hash)
  const exportName = hash < 0 ? 'default' : target.slice(hash + 1)
  if (module === '') throw new UsageError(`no module before '#' in '${target}'`)
  if (exportName === '') throw new UsageError(`no export name after '#' in '${target}'`)
  return { module, exportName, out, workflow, depth, title, cache }
}

function isPlotJSON(v: unknown): v is PlotJSON {
  return typeof v === 'object' && v !== null && Array.isArray((v as { pages?: unknown }).pages)
}

/** Imports the module and turns the export into a `PlotJSON` (calling `.plot()`; a plain `PlotJSON` export is taken as is). */
export async function loadPlot(cmd: PlotCommand, cwd = process.cwd()): Promise<PlotJSON> {
  // A portable model file (or an ephemeral job map): read it with the engine's loader.
  if (/\.json$/i.test(cmd.module)) {
    const { loadModel } = await import('flowmark/portable')
    const dsp = await loadModel(resolve(cwd, cmd.module), { file: cmd.module })
    return dsp.plot(cmd.depth === undefined ? { ...DOCS_PLOT_DEFAULTS } : { ...DOCS_PLOT_DEFAULTS, depth: cmd.depth }).toJSON()
  }
  const looksLikePath = cmd.module.startsWith('.') || isAbsolute(cmd.module) || /\.[cm]?[jt]s$/.test(cmd.module)
  const specifier = looksLikePath ? pathToFileURL(resolve(cwd, cmd.module)).href : cmd.module
  let ns: Record<string, unknown>
  try {
    ns = (await import(specifier)) as Record<string, unknown>
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    throw new UsageError(`cannot import '${cmd.module}'${looksLikePath ? ` (${fileURLToPath(specifier)})` : ''}: ${why}`)
  }
  if (!(cmd.exportName in ns)) {
    const names = Object.keys(ns).filter((k) => k !== '__esModule')
    throw new UsageError(
      `'${cmd.module}' has no export '${cmd.exportName}'; its exports: ${names.length > 0 ? names.join(', ') : '(none)'}`,
    )
  }
  let value = ns[cmd.exportName]
  if (isPlotJSON(value)) return value
  // A factory (`export function model() { … return dsp }`): call it when it takes no parameters.
  if (typeof value === 'function' && typeof (value as { plot?: unknown }).plot !== 'function' && value.length === 0) {
    value = (value as () => unknown)()
  }
  const plot = (value as { plot?: unknown } | null)?.plot
  if (typeof plot !== 'function') {
    throw new UsageError(
      `export '${cmd.exportName}' of '${cmd.module}' is ${value === null ? 'null' : typeof value}, not a Dispatcher or Solution (it has no plot() method)`,
    )
  }
  const options: Record<string, unknown> = { ...DOCS_PLOT_DEFAULTS }
  if (cmd.workflow) options.workflow = true
  if (cmd.depth !== undefined) options.depth = cmd.depth
  const result = (plot as (o: Record<string, unknown>) => unknown).call(value, options)
  const json = typeof (result as { toJSON?: unknown } | null)?.toJSON === 'function' ? (result as { toJSON(): unknown }).toJSON() : result
  if (!isPlotJSON(json) || json.pages.length === 0) {
    throw new Error(`'${cmd.exportName}'.plot() returned no pages; expected a Plot with at least its root page`)
  }
  return json
}

/** Runs `flowmark-docs plot`: returns the path of the written HTML file and the renderer's warnings. */
export async function plotCommand(cmd: PlotCommand, cwd = process.cwd()): Promise<{ file: string; warnings: readonly string[] }> {
  const plot = await loadPlot(cmd, cwd)
  const renderer = new GraphRenderer(cmd.cache === undefined ? {} : { cacheDir: cmd.cache === false ? false : resolve(cwd, cmd.cache) })
  const root = plot.pages[0] as PlotJSON['pages'][number]
  const title = cmd.title ?? root.title
  const rendered = await renderPlot(plot, { renderer, title, id: `fm-${title}` })
  const subs = plot.pages.length - 1
  const subtitle = `${root.kind === 'workflow' ? 'Workflow' : 'Model'} · ${root.nodes.length} nodes${subs > 0 ? ` · ${subs} sub-model page${subs === 1 ? '' : 's'}` : ''}`
  const html = await standalonePage(rendered.html, { title, subtitle })
  const dir = resolve(cwd, cmd.out)
  await mkdir(dir, { recursive: true })
  const file = join(dir, 'index.html')
  await writeFile(file, html)
  return { file, warnings: rendered.warnings }
}

/** Where {@link main} writes and which directory it resolves paths against (defaults: the process's). */
export type { CliIO }

/**
 * The `flowmark-docs` command. Returns the exit status: 0 done, 1 failed, 2 usage error.
 * @param argv The arguments after the program name (`process.argv.slice(2)`).
 * @param io Output streams and working directory (for tests and embedding).
 */
export async function main(argv: readonly string[], io: CliIO = {}): Promise<number> {
  const [command, ...rest] = argv
  const stdout = io.stdout ?? process.stdout
  const stderr = io.stderr ?? process.stderr
  const cwd = io.cwd ?? process.cwd()
  try {
    switch (command) {
      case undefined:
        stderr.write(`flowmark-docs: missing command\n\n${USAGE}`)
        return 2
      case 'help':
      case '--help':
      case '-h':
        stdout.write(USAGE)
        return 0
      case 'plot': {
        if (rest.includes('--help') || rest.includes('-h')) {
          stdout.write(USAGE)
          return 0
        }
        const { file, warnings } = await plotCommand(parsePlotArgs(rest), cwd)
        for (const w of warnings) stderr.write(`flowmark-docs plot: warning: ${w}\n`)
        const shown = relative(cwd, file)
        stdout.write(`wrote ${shown.startsWith('..') || shown === '' ? file : shown}\n`)
        return 0
      }
      case 'doctest': {
        const doctest = await import('./doctest/cli.ts')
        return await doctest.main([...rest], { stdout, stderr, cwd })
      }
      case 'build': {
        const build = await import('./astro/build-cache.ts')
        let options
        try {
          options = build.parseBuildArgs(rest)
        } catch (e) {
          throw e instanceof build.BuildUsageError ? new UsageError(e.message) : e
        }
        if (options.help) {
          stdout.write(build.BUILD_USAGE)
          return 0
        }
        return await build.docsBuild(options, { stdout, stderr, cwd, env: process.env })
      }
      default:
        throw new UsageError(`unknown command '${command}'`)
    }
  } catch (e) {
    if (e instanceof UsageError) {
      stderr.write(`flowmark-docs: ${e.message}\n\n${USAGE}`)
      return 2
    }
    if (e instanceof Error && 'problems' in e) {
      stderr.write(`flowmark-docs ${command}: ${e.message}\n`) // an invalid model file: every problem, file:line:column
      return 2
    }
    stderr.write(`flowmark-docs: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    return 1
  }
}

function invokedDirectly(): boolean {
  const entry = process.argv[1]
  if (entry === undefined) return false
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (invokedDirectly()) {
  process.exitCode = await main(process.argv.slice(2))
}
