// The engine stays the ground floor: no imports from outside engine/, no Node built-ins (but in its command line and
// file loader, which the main entry never reaches), a purpose line per file.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as engine from '../../engine/index.ts'

const root = new URL('../../engine/', import.meta.url).pathname
const files = (function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [])
})(root)

/** The only engine files that may use Node built-ins: the CLI and the model-file loader (not reachable from index.ts). */
const NODE_ONLY = new Set(['cli.ts', 'portable/node.ts', 'portable/index.ts'])

/** The engine modules a file imports, transitively. */
function reach(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) reach(join(file, '..', m[1]!), seen)
  return seen
}

describe('engine/ structure', () => {
  it('keeps Node built-ins out of the main entry', () => {
    const reached = [...reach(join(root, 'index.ts'))].map((f) => relative(root, f))
    expect(reached.filter((f) => NODE_ONLY.has(f))).toEqual([])
  })

  it('has source files', () => expect(files.length).toBeGreaterThan(5))

  it.each(files.map((f) => [relative(root, f), f]))('%s imports only engine modules', (_name, file) => {
    const src = readFileSync(file, 'utf8')
    for (const m of src.matchAll(/^(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!
      if (NODE_ONLY.has(_name) && spec.startsWith('node:')) continue
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

  it('exports exactly the public API', () => {
    expect(Object.keys(engine).sort()).toEqual([
      'compareDistance', 'DispatcherAbort', 'Dispatcher', 'DispatcherError', 'EMPTY', 'END', 'FlowmarkError',
      'formatPath', 'functionName', 'idText', 'Inf', 'inf', 'isNodeId', 'isSpecialNodeId', 'ModelError', 'NodeError',
      'NONE', 'PLOT', 'SELF', 'SINK', 'Solution', 'START', 'Workflow', 'WRAPPED_MODEL',
      // plot/
      'legend', 'plotFromJSON', 'inspectValue', 'PlotError', 'PlotOptionError', 'NODE_STYLES',
      // compose/
      'Blueprint', 'CallError', 'DispatchPipe', 'MapDispatch', 'SubDispatch', 'SubDispatchFunction', 'SubDispatchPipe',
      'addArgs', 'areInNestedDicts', 'bypass', 'combineDicts', 'combineDictsWith', 'combineNestedDicts', 'deepCopy',
      'deferred', 'getNestedDicts', 'isModelWrapper', 'kkDict', 'mapDict', 'mapDictWith', 'mapList', 'mapListWith',
      'parentArgument', 'parentFunc', 'partial', 'replicateValue', 'runModel', 'runModelWith', 'selector',
      'stackNestedKeys', 'summation',
    ].sort())
  })
})
