// Measures the length in lines of every function in TypeScript files: used by the structure tests' length limit.
import { readFileSync } from 'node:fs'
import ts from 'typescript'

/** One function (declaration, method, accessor, constructor, function expression or arrow) and its length. */
export interface FunctionLength {
  /** The file the function is in. */
  file: string
  /** A readable name: the declared name, the variable or property it is assigned to, or `(anonymous)`. */
  name: string
  /** 1-based line of the function's first line. */
  line: number
  /** Lines from the function's first line to its last, both included (nested functions count in their parent too). */
  lines: number
}

/** The name a function is known by: its own, or that of the variable, property or class member holding it. */
function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor'
  if (node.name !== undefined && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) || ts.isPrivateIdentifier(node.name)))
    return node.name.text
  const parent = node.parent
  if (
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) &&
    ts.isIdentifier(parent.name)
  )
    return parent.name.text
  return '(anonymous)'
}

/** The length of every function with a body in `file`, in source order. */
export function functionLengths(file: string): FunctionLength[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const out: FunctionLength[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const fn = node
      const first = source.getLineAndCharacterOfPosition(fn.getStart(source)).line
      const last = source.getLineAndCharacterOfPosition(fn.getEnd()).line
      out.push({ file, name: nameOf(fn), line: first + 1, lines: last - first + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return out
}

/**
 * The longest a function may be, in lines, before the structure tests ask for it to be split. Prettier (`npm run
 * format`) writes one parameter, import or property per line where the code kept several on one: a function of ~100
 * lines as written before formatting is ~115 after (makePipe: 98 → 115), so the limit leaves that room.
 */
export const MAX_FUNCTION_LINES = 120

/**
 * The functions of `files` longer than {@link MAX_FUNCTION_LINES}, as `file:line name (n lines)` with the file relative
 * to `root`, leaving out those named in `allowed` (keys `relative/file.ts#name`); an entry of `allowed` that names no
 * long function any more is listed too (`stale allow-list entry …`), so the list cannot outlive its reasons.
 */
export function longFunctions(files: readonly string[], root: string, allowed: ReadonlyMap<string, string>): string[] {
  const long = files
    .flatMap((file) => functionLengths(file))
    .filter((f) => f.lines > MAX_FUNCTION_LINES)
    .map((f) => ({ ...f, key: `${f.file.slice(root.length).replace(/^\//, '')}#${f.name}` }))
  const keys = new Set(long.map((f) => f.key))
  return [
    ...long.filter((f) => !allowed.has(f.key)).map((f) => `${f.key.replace(/#.*$/, '')}:${f.line} ${f.name} (${f.lines} lines)`),
    ...[...allowed.keys()].filter((k) => !keys.has(k)).map((k) => `stale allow-list entry ${k}`),
  ]
}
