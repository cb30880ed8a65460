// The engine stays the ground floor: no imports from outside engine/, no Node built-ins (but in its command line and
// file loader, which the main entry never reaches), a purpose line per file.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import * as engine from '../../engine/index.ts'
import { MAX_FUNCTION_LINES, longFunctions } from '../function-lengths.ts'
import { importCycles } from '../import-cycles.ts'

const root = new URL('../../engine/', import.meta.url).pathname
const files = (function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? d.name === 'dist' || d.name === 'node_modules'
        ? []
        : walk(join(dir, d.name))
      : d.name.endsWith('.ts')
        ? [join(dir, d.name)]
        : [],
  )
})(root)

/**
 * The only engine files that may use Node built-ins: the CLI, the model-file loader, the worker executor and the
 * server's Node adapter and command (none reachable from index.ts).
 */
const NODE_ONLY = new Set([
  'cli.ts',
  'portable/node.ts',
  'portable/index.ts',
  'workers/index.ts',
  'workers/worker.ts',
  'server/node.ts',
  'server/command.ts',
])

/** The optional peer dependencies an engine file may import (the worker executor's pool). */
const PEERS = new Map([
  ['workers/worker.ts', ['piscina']],
  ['workers/index.ts', ['piscina']],
])
/**
 * `flowmark/server` (engine/server/) may import its optional peers `hono` and
 * `@hono/node-server`, never reached from the main entry (the first test checks the main entry reaches no server file).
 */
const SERVER_PEERS = /^(hono|hono\/[\w-]+|@hono\/node-server)$/

/**
 * Functions allowed over MAX_FUNCTION_LINES for now, each with the reason; split one, then delete its line here.
 * (Empty since issue #19 split the last of them.)
 */
const LONG_FUNCTIONS = new Map<string, string>([])

/** The engine modules a file imports, transitively. */
function reach(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/gm))
    reach(join(file, '..', m[1]!), seen)
  return seen
}

describe('engine/ structure', () => {
  it('keeps Node built-ins out of the main entry', () => {
    const reached = [...reach(join(root, 'index.ts'))].map((f) => relative(root, f))
    expect(reached.filter((f) => NODE_ONLY.has(f) || f.startsWith('server/'))).toEqual([])
  })

  it('has source files', () => expect(files.length).toBeGreaterThan(5))

  it.each(files.map((f) => [relative(root, f), f]))('%s imports only engine modules', (_name, file) => {
    const src = readFileSync(file, 'utf8')
    for (const m of src.matchAll(/^(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!
      if (NODE_ONLY.has(_name) && spec.startsWith('node:')) continue
      if (PEERS.get(_name)?.includes(spec)) continue
      if (_name.startsWith('server/') && SERVER_PEERS.test(spec)) continue
      expect(spec.startsWith('.'), `${spec} is a package or built-in import`).toBe(true)
      const target = join(file, '..', spec)
      expect(target.startsWith(root), `${spec} leaves engine/`).toBe(true)
    }
  })

  it.each(files.map((f) => [relative(root, f), f]))('%s has a kebab-case name and a one-line purpose comment', (name, file) => {
    expect(name).toMatch(/^([a-z0-9]+(-[a-z0-9]+)*\/)*[a-z0-9]+(-[a-z0-9]+)*\.ts$/)
    const lines = readFileSync(file, 'utf8').split('\n')
    expect(lines[lines[0]!.startsWith('#!') ? 1 : 0]).toMatch(/^\/\/ \S.{10,}$/)
  })

  it(`has no function over ${MAX_FUNCTION_LINES} lines (but the commented allow-list)`, () => {
    expect(longFunctions(files, root, LONG_FUNCTIONS)).toEqual([])
  })

  it('has no runtime import cycle (the floors import only downwards; type-only imports do not count)', () => {
    expect(importCycles(files).map((c) => c.map((f) => relative(root, f)).join(' → '))).toEqual([])
  })

  it('exports exactly the public API: the main entry for everyday use, helpers and plot utilities on subpaths', async () => {
    expect(Object.keys(engine).sort()).toEqual(
      [
        'compareDistance',
        'DispatcherAbort',
        'Dispatcher',
        'DispatcherError',
        'EMPTY',
        'END',
        'FlowmarkError',
        'formatPath',
        'functionName',
        'idText',
        'Inf',
        'inf',
        'isNodeId',
        'isSpecialNodeId',
        'ModelError',
        'nameError',
        'NodeError',
        'NONE',
        'PLOT',
        'SELF',
        'SINK',
        'Solution',
        'START',
        'Workflow',
        'WRAPPED_MODEL',
        'PlotError',
        'PlotOptionError',
        'TimeoutError',
        // compose/
        'Blueprint',
        'CallError',
        'DispatchPipe',
        'MapDispatch',
        'SubDispatch',
        'SubDispatchFunction',
        'SubDispatchPipe',
        'DispatchPipeAsync',
        'MapDispatchAsync',
        'SubDispatchAsync',
        'SubDispatchFunctionAsync',
        'SubDispatchPipeAsync',
        'deferred',
        'isModelWrapper',
        'runModel',
        'runModelWith',
      ].sort(),
    )
    expect(Object.keys(await import('../../engine/helpers.ts')).sort()).toEqual(
      [
        'addArgs',
        'areInNestedDicts',
        'bypass',
        'combineDicts',
        'combineDictsWith',
        'combineNestedDicts',
        'combineNestedDictsWith',
        'deepCopy',
        'getNestedDicts',
        'kkDict',
        'mapDict',
        'mapDictWith',
        'mapList',
        'mapListWith',
        'parentArgument',
        'parentFunc',
        'partial',
        'replicateValue',
        'selector',
        'stackNestedKeys',
        'summation',
      ].sort(),
    )
    expect(Object.keys(await import('../../engine/plot/index.ts')).sort()).toEqual(
      [
        'DEFAULT_ROWS',
        'inspectValue',
        'LAYOUT_ENGINES',
        'PLOT_CAPTIONS',
        'legend',
        'NODE_STYLES',
        'PLOT_OPTION_NAMES',
        'plotFromJSON',
        'PlotError',
        'PlotOptionError',
        'ROW_NAMES',
        'pathSegment',
      ].sort(),
    )
  })

  it("the package exports the engine's entry points, and marks only the modules with side effects", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../engine/package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, { source?: string }>
      sideEffects: string[]
    }
    expect(pkg.exports['.']?.source).toBe('./index.ts')
    expect(pkg.exports['./helpers']?.source).toBe('./helpers.ts')
    expect(pkg.exports['./plot']?.source).toBe('./plot/index.ts')
    // dispatcher.ts registers the Dispatcher class for the blueprints (see internal/access.ts); no other engine module
    // does anything when loaded.
    const engineEffects = files.filter((f) => {
      const src = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
      return src.statements.some((st) => ts.isExpressionStatement(st))
    })
    // internal/graph.ts only sets defaults on its own classes' prototypes: dropping the module drops them too.
    expect(engineEffects.map((f) => relative(root, f))).toEqual(['dispatcher.ts', 'internal/graph.ts'])
    expect(pkg.sideEffects).toContain('./dispatcher.ts')
    expect(pkg.sideEffects).toContain('./dist/dispatcher.js')
  })
})
