// Finds runtime import cycles among TypeScript files (type-only imports and exports do not count): used by the structure tests.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import ts from 'typescript'

/**
 * Relative runtime imports of `file` (resolved to absolute paths). Only `import type` and `export type` are skipped:
 * under `verbatimModuleSyntax` (and Node's type stripping) `import { type X }` still loads the module. Dynamic
 * `import()` is not a static edge and is not counted.
 */
export function runtimeImports(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const out: string[] = []
  for (const st of src.statements) {
    let spec: ts.Expression | undefined
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause
      if (clause?.isTypeOnly === true) continue
      spec = st.moduleSpecifier
    } else if (ts.isExportDeclaration(st)) {
      if (st.isTypeOnly) continue
      spec = st.moduleSpecifier
    }
    if (spec === undefined || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue
    out.push(resolve(dirname(file), spec.text))
  }
  return out
}

/**
 * Every runtime import cycle among `files`, each as the list of files around it (first file repeated at the end),
 * found as the strongly connected components of the import graph (Tarjan). Imports of files outside `files` are ignored.
 */
export function importCycles(files: readonly string[]): string[][] {
  const known = new Set(files)
  const edges = new Map(files.map((f) => [f, runtimeImports(f).filter((t) => known.has(t))]))
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  let next = 0
  const connect = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        connect(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!))
      }
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || edges.get(v)!.includes(v)) cycles.push(cyclePath(component, edges))
  }
  for (const f of files) if (!index.has(f)) connect(f)
  return cycles
}

/** One concrete cycle through a strongly connected component (a shortest walk back to its first file). */
function cyclePath(component: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[] {
  const inside = new Set(component)
  const start = [...component].sort()[0]!
  const from = new Map<string, string>()
  const queue = [start]
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!
    for (const w of edges.get(v)!) {
      if (!inside.has(w)) continue
      if (w === start) {
        const path = [start]
        for (let x = v; x !== start; x = from.get(x)!) path.splice(1, 0, x)
        return [...path, start]
      }
      if (!from.has(w)) {
        from.set(w, v)
        queue.push(w)
      }
    }
  }
  return [...component, component[0]!]
}
