// One TypeScript statement or block → a REPL-style script: types stripped, top-level names hoisted, await allowed, positions kept.
import { stripTypeScriptTypes } from 'node:module'
import ts from 'typescript'
import { SESSION_GLOBAL } from './protocol.ts'

/** A compiled unit, ready for `vm.Script` in the session worker. */
export interface CompiledScript {
  readonly ok: true
  /**
   * `script`: run as it is, its completion value is the statement's value. `async` (top-level await or imports):
   * the script is an async wrapper whose promise resolves to `{ value }` (the final expression statement's value).
   */
  readonly mode: 'script' | 'async'
  /**
   * The script. Its first line is the async wrapper (empty in `script` mode), the unit's own lines follow unchanged
   * in number, so a `vm.Script` `lineOffset` of (page line of the unit's first line − 2) maps frames to page lines.
   */
  readonly script: string
  /** Names the unit declares at top level (they become globals of the session). */
  readonly declared: readonly string[]
  /**
   * Whether the script may run as global eval code (see the worker), where its top-level `var` and function
   * declarations become deletable globals: false when it starts with a `'use strict'` directive (strict eval code
   * would keep its declarations to itself).
   */
  readonly deletable: boolean
  /**
   * Maps a 1-based column on a line of the unit (0-based line index) as the compiled script has it back to the
   * column in the unit's source, undoing the rewrites on that line (stack frames point into the script).
   */
  readonly sourceColumn: (line: number, column: number) => number
}

/** A unit that cannot run: a syntax error (or TypeScript syntax that cannot be erased) at a 0-based position. */
export interface CompileFailure {
  readonly ok: false
  readonly message: string
  /** 0-based line and column within the unit's source. */
  readonly line: number
  readonly column: number
}

/** Options of {@link compileUnit}. */
export interface CompileOptions {
  /** Return the completion value of a final expression statement (transcript statements). */
  readonly wantsValue: boolean
}

/**
 * Compiles TypeScript source (types stripped in place, so offsets stay) for the session, in one of two modes:
 *
 * - `script`, when the unit has no top-level `await` and no `import`: it runs as a plain script, so its value is
 *   V8's completion value, as in the REPL. Top-level `const`/`let` become `var` (same columns), `class C` becomes
 *   `var C = class C`; script-level `var` and function declarations are session globals by themselves (the worker
 *   runs the script as global eval code, so they are deletable globals: a later page can have the worker clean).
 * - `async`, otherwise: the unit runs inside an async wrapper. `const|let|var x = e` becomes an assignment to a
 *   session global (`(x = e)`, columns kept), functions are published as globals, `class C` → `C = class C`,
 *   `import … from 'm'` → destructuring of `await import('m')` (resolved by the worker against the page), and with
 *   `wantsValue` a final expression statement becomes the value.
 *
 * `export` modifiers are dropped in both. Like the Node REPL, a unit that is `{ … }` is tried as an object literal
 * first.
 */
export function compileUnit(source: string, options: CompileOptions): CompiledScript | CompileFailure {
  const unit = readUnit(source, options)
  if (!unit.ok) return unit
  const { file, js } = unit
  const statements = file.statements
  // Without top-level await or imports the unit runs as a plain script: V8's own completion value is what the REPL
  // prints (`if (x) { 5 }` → 5), and `var` declarations at script level are already session globals.
  const mode: 'script' | 'async' = statements.some((s) => ts.isImportDeclaration(s) || hasTopLevelAwait(s)) ? 'async' : 'script'
  const rw: Rewrite = { file, js, mode, edits: [], declared: [], functions: [] }
  statements.forEach((statement, index) => {
    blankExportModifiers(statement, file, rw.edits)
    if (ts.isVariableStatement(statement)) rewriteVariables(statement, rw)
    else if (ts.isImportDeclaration(statement)) rewriteImport(statement, rw)
    else if (ts.isFunctionDeclaration(statement) && statement.name !== undefined && statement.body !== undefined) {
      // A script-level function declaration is a global already; inside the async wrapper it is published.
      rw.functions.push(statement.name.text)
    } else if (ts.isClassDeclaration(statement) && statement.name !== undefined) {
      if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) return
      const name = statement.name.text
      rw.declared.push(name)
      const keyword = classKeyword(statement, file)
      rw.edits.push({ start: keyword, end: keyword, text: mode === 'script' ? `var ${name} = ` : `;${name} = ` })
      rw.edits.push({ start: statement.end, end: statement.end, text: ';' })
    } else if (mode === 'async' && options.wantsValue && index === statements.length - 1 && ts.isExpressionStatement(statement)) {
      rw.edits.push({ start: statement.getStart(file), end: statement.getStart(file), text: 'return { value: (' })
      rw.edits.push({ start: statement.expression.end, end: statement.end, text: ') };' })
    }
  })
  const body = applyEdits(js, rw.edits)
  const hoist = mode === 'async' && rw.functions.length > 0 ? ` ${SESSION_GLOBAL}.hoist({ ${rw.functions.join(', ')} });` : ''
  const unique = [...new Set(rw.declared)]
  const vars = unique.length > 0 ? `\n;var ${unique.join(', ')};` : ''
  const script = mode === 'script' ? `\n${body}\n` : `(async () => {${hoist}\n${body}\n})()${vars}`
  return {
    ok: true,
    mode,
    script,
    declared: [...unique, ...rw.functions],
    deletable: !startsStrict(statements),
    sourceColumn: columnMapper(lineShifts(js, rw.edits)),
  }
}

/** Units {@link compileCached} compiled, by mode and source; emptied when it reaches {@link CACHE_LIMIT} entries. */
const cache = new Map<string, CompiledScript | CompileFailure>()
const CACHE_LIMIT = 10_000

/**
 * {@link compileUnit}, remembered for the process: a page that runs again (a dev server rendering an edited page, a
 * watch run) compiles only its new units. The results are shared between callers, who must not change them.
 */
export function compileCached(source: string, options: CompileOptions): CompiledScript | CompileFailure {
  const key = `${options.wantsValue ? 'v' : 'c'}${source}`
  let result = cache.get(key)
  if (result === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear()
    result = compileUnit(source, options)
    cache.set(key, result)
  }
  return result
}

/** A unit's source parsed (tried as an object literal first, like the REPL) and its types stripped in place. */
function readUnit(source: string, options: CompileOptions): { ok: true; file: ts.SourceFile; js: string } | CompileFailure {
  let text = source
  let parsed: ReturnType<typeof parse> | undefined
  if (options.wantsValue && /^\s*\{/.test(text) && /\}\s*;?\s*$/.test(text)) {
    const asObject = wrapInParens(text)
    const attempt = parse(asObject)
    if (attempt.error === undefined) {
      text = asObject
      parsed = attempt
    }
  }
  parsed ??= parse(text)
  if (parsed.error !== undefined) return parsed.error
  try {
    return { ok: true, file: parsed.file, js: strip(text) }
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err)
    return {
      ok: false,
      line: 0,
      column: 0,
      message: `${message} Doctests run with type stripping: use only erasable TypeScript (no enum, namespace or parameter properties).`,
    }
  }
}

/** The rewrite of one unit in progress: its parse, stripped text, mode, and what the statements add. */
interface Rewrite {
  readonly file: ts.SourceFile
  readonly js: string
  readonly mode: 'script' | 'async'
  readonly edits: Edit[]
  /** Top-level names the unit declares. */
  readonly declared: string[]
  /** Top-level function declarations (published as globals in async mode). */
  readonly functions: string[]
}

/**
 * A top-level variable statement. Script mode: `const x` / `let x` → `var   x` / `var x` (same columns, a session
 * global, no completion value). Async mode: `const a: T = 1, { b } = o` → `;     (a    = 1), ({ b } = o)`: the
 * keyword becomes `;` plus blanks and each declarator an assignment in parentheses, so columns stay.
 */
function rewriteVariables(statement: ts.VariableStatement, rw: Rewrite): void {
  const { file, edits, declared } = rw
  if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) return
  const scoping = statement.declarationList.flags & ts.NodeFlags.BlockScoped
  if (scoping === ts.NodeFlags.Using || scoping === ts.NodeFlags.AwaitUsing) return
  const lexical = scoping !== 0
  const list = statement.declarationList
  const first = list.declarations[0]
  if (first === undefined) return
  if (rw.mode === 'script') {
    for (const declaration of list.declarations) declared.push(...bindingNames(declaration.name))
    const keyword = list.getStart(file)
    const length = lexical ? (scoping === ts.NodeFlags.Const ? 5 : 3) : 3
    edits.push({ start: keyword, end: keyword + length, text: 'var'.padEnd(length, ' ') })
    return
  }
  const keywordStart = list.getStart(file)
  const keywordEnd = first.getStart(file)
  edits.push({ start: keywordStart, end: keywordEnd, text: ';'.padEnd(keywordEnd - keywordStart, ' ') })
  for (const declaration of list.declarations) {
    declared.push(...bindingNames(declaration.name))
    const start = declaration.name.getStart(file)
    if (declaration.initializer !== undefined) {
      edits.push({ start, end: start, text: '(' })
      edits.push({ start: declaration.end, end: declaration.end, text: ')' })
    } else if (lexical) {
      edits.push({ start, end: start, text: '(' })
      edits.push({ start: declaration.name.end, end: declaration.end, text: ' = undefined)' })
    } else {
      edits.push({ start, end: start, text: 'void ' })
    }
  }
}

/** `import … from 'm'` → destructuring of `await import('m')` (resolved by the worker against the page). */
function rewriteImport(statement: ts.ImportDeclaration, rw: Rewrite): void {
  const { file, js, declared } = rw
  const slice = (node: ts.Node): string => js.slice(node.getStart(file), node.end)
  const clause = statement.importClause
  if (clause?.isTypeOnly === true) return
  const specifier = slice(statement.moduleSpecifier)
  const attributes =
    statement.attributes === undefined ? '' : `, { with: { ${statement.attributes.elements.map((element) => slice(element)).join(', ')} } }`
  const load = `await import(${specifier}${attributes})`
  const props: string[] = []
  let namespace: string | undefined
  if (clause?.name !== undefined) {
    props.push(`default: ${clause.name.text}`)
    declared.push(clause.name.text)
  }
  const bindings = clause?.namedBindings
  if (bindings !== undefined && ts.isNamespaceImport(bindings)) {
    namespace = bindings.name.text
    declared.push(namespace)
  } else if (bindings !== undefined) {
    for (const element of bindings.elements) {
      if (element.isTypeOnly) continue
      props.push(`${element.propertyName === undefined ? element.name.text : slice(element.propertyName)}: ${element.name.text}`)
      declared.push(element.name.text)
    }
  }
  let replacement: string
  if (props.length === 0 && namespace === undefined) replacement = `;${load};`
  else if (props.length === 0) replacement = `;(${namespace} = ${load});`
  else replacement = `;({ ${props.join(', ')} } = ${namespace === undefined ? '' : `${namespace} = `}${load});`
  rw.edits.push({ start: statement.getStart(file), end: statement.end, text: replacement })
}

/** Maps a column of the compiled script back to the unit's source, undoing the rewrites on that line. */
function columnMapper(shifts: ReturnType<typeof lineShifts>): (line: number, column: number) => number {
  return (line, column) => {
    let delta = 0
    for (const shift of shifts.get(line) ?? []) {
      const outStart = shift.start + delta
      if (column - 1 < outStart) break
      if (column - 1 < outStart + shift.length) return shift.start + 1
      delta += shift.delta
    }
    return column - delta
  }
}

/** Type stripping with Node's built-in stripper (whitespace replaces types, so offsets stay the same). */
function strip(source: string): string {
  // The stripper announces itself with an ExperimentalWarning on first use; that is noise for doc builds.
  // Kept to put back, and called with `process` as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const emit = process.emitWarning
  process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message
    if (/stripTypeScriptTypes/.test(text)) return
    ;(emit as (...args: unknown[]) => void).call(process, warning, ...rest)
  }
  try {
    return stripTypeScriptTypes(source, { mode: 'strip' })
  } finally {
    process.emitWarning = emit
  }
}

/** Parses TypeScript source; `error` is its first syntax error, if any. */
function parse(source: string): { file: ts.SourceFile; error: CompileFailure | undefined } {
  const file = ts.createSourceFile('unit.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  // The parser's own diagnostics (what `transpileModule` reports, without building a program for every unit).
  const parsed = (file as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics
  const diagnostics =
    parsed ??
    ts.transpileModule(source, {
      reportDiagnostics: true,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).diagnostics ??
    []
  const diagnostic = diagnostics.find((d) => d.category === ts.DiagnosticCategory.Error)
  if (diagnostic === undefined) return { file, error: undefined }
  const offset = diagnostic.start ?? 0
  const before = source.slice(0, offset).split('\n')
  return {
    file,
    error: {
      ok: false,
      line: before.length - 1,
      column: before[before.length - 1]!.length,
      message: `Syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`,
    },
  }
}

/** `{ a: 1 }` → `({ a: 1 })`, using the blank before `{` when there is one so columns stay put. */
function wrapInParens(source: string): string {
  const open = source.indexOf('{')
  const close = source.lastIndexOf('}')
  const inner = source.slice(0, close + 1) + ')' + source.slice(close + 1)
  return open > 0 && source[open - 1] === ' '
    ? inner.slice(0, open - 1) + '(' + inner.slice(open)
    : inner.slice(0, open) + '(' + inner.slice(open)
}

interface Edit {
  readonly start: number
  readonly end: number
  readonly text: string
}

/** Applies non-overlapping edits; a replacement that has fewer line breaks than the text it replaces is padded. */
function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text
  for (const edit of [...edits].sort((x, y) => y.start - x.start || y.end - x.end)) {
    const removed = out.slice(edit.start, edit.end)
    const missing = count(removed, '\n') - count(edit.text, '\n')
    out = out.slice(0, edit.start) + edit.text + '\n'.repeat(Math.max(0, missing)) + out.slice(edit.end)
  }
  return out
}

/** Per line of the unit, the single-line rewrites on it: 0-based start column, inserted length, length change. */
function lineShifts(text: string, edits: readonly Edit[]): Map<number, { start: number; length: number; delta: number }[]> {
  const shifts = new Map<number, { start: number; length: number; delta: number }[]>()
  for (const edit of [...edits].sort((x, y) => x.start - y.start)) {
    const removed = text.slice(edit.start, edit.end)
    if (removed.includes('\n') || edit.text.includes('\n')) continue
    const before = text.slice(0, edit.start)
    const line = count(before, '\n')
    const start = edit.start - (before.lastIndexOf('\n') + 1)
    const list = shifts.get(line) ?? []
    list.push({ start, length: edit.text.length, delta: edit.text.length - removed.length })
    shifts.set(line, list)
  }
  return shifts
}

function count(text: string, char: string): number {
  let n = 0
  for (const c of text) if (c === char) n++
  return n
}

/** True when the statements open with a `'use strict'` directive (only the leading string statements are directives). */
function startsStrict(statements: ts.NodeArray<ts.Statement>): boolean {
  for (const statement of statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) return false
    if (statement.expression.text === 'use strict') return true
  }
  return false
}

/** True when a top-level statement awaits outside any nested function (`await x`, `for await`). */
function hasTopLevelAwait(node: ts.Node): boolean {
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false
  if (ts.isAwaitExpression(node)) return true
  if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) return true
  if (ts.isVariableStatement(node) && (node.declarationList.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.AwaitUsing) return true
  return ts.forEachChild(node, hasTopLevelAwait) === true
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false)
}

/** `export` / `export default` in front of a declaration: replaced by spaces (no meaning in a session). */
function blankExportModifiers(node: ts.Statement, file: ts.SourceFile, edits: Edit[]): void {
  if (!ts.canHaveModifiers(node)) return
  for (const modifier of ts.getModifiers(node) ?? []) {
    if (modifier.kind === ts.SyntaxKind.ExportKeyword || modifier.kind === ts.SyntaxKind.DefaultKeyword) {
      const start = modifier.getStart(file)
      edits.push({ start, end: modifier.end, text: ' '.repeat(modifier.end - start) })
    }
  }
}

/** Offset of the `class` keyword of a class declaration (after modifiers such as `export` or `abstract`). */
function classKeyword(statement: ts.ClassDeclaration, file: ts.SourceFile): number {
  const modifiers = ts.getModifiers(statement)
  const from = modifiers !== undefined && modifiers.length > 0 ? modifiers[modifiers.length - 1]!.end : statement.getStart(file)
  const at = file.text.slice(from).search(/\bclass\b/)
  return from + Math.max(0, at)
}

/** Every identifier bound by a binding name (`x`, `{ a, b: [c, ...d] }`). */
function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text]
  const names: string[] = []
  for (const element of name.elements) {
    if (ts.isOmittedExpression(element)) continue
    names.push(...bindingNames(element.name))
  }
  return names
}
