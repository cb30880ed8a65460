// Authoring lint: finds Flowmark blocks that silently failed to parse (or parse differently elsewhere), says how to fix them.
import type { Code, Paragraph, Root } from 'mdast'
import type { Node, Parent } from 'unist'
import { DISPATCHER, dottedOptions, isFlowmarkDirective, optionValue, TESTCLEANUP, TESTSETUP, type BlockDirective } from './directive.ts'
import { codeLang, isTranscript } from './fence.ts'
import { diagnostic, startOf, type FileInfo } from './file.ts'
import { portableAttributes, readOpeningLine, sourceLine, type OpeningLine } from './opening.ts'
import type { Diagnostic } from './types.ts'

const NAMES = new Set<string>([DISPATCHER, TESTSETUP, TESTCLEANUP])

/** The portable spelling of an opening line: no space before `{`, values quoted where needed. */
function portableOpening(open: OpeningLine): string {
  const attrs = open.attributes.flatMap((a): (readonly [string, string | undefined])[] => {
    const value = a.escaped ? a.value?.replaceAll('\\"', '"').replaceAll("\\'", "'") : a.value
    if (a.name === 'opt' && value !== undefined) {
      const parsed = optionValue(value)
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return dottedOptions(parsed as Record<string, unknown>)
    }
    return [[a.name, value]]
  })
  return `${open.colons}${open.name}${attrs.length > 0 ? portableAttributes(attrs) : ''}`
}

/** The reasons an opening line fails to parse in micromark, or parses differently in other processors. */
function openingProblems(open: OpeningLine): string[] {
  const problems: string[] = []
  if (open.spaceBeforeBrace) problems.push('remove the space before `{` (micromark reads the line as text; Sätteri drops the attributes)')
  if (open.braceStart >= 0 && !open.braceClosed)
    problems.push('close the attributes with `}` on the same line (attributes cannot span lines)')
  for (const a of open.attributes) {
    if (a.unterminated) problems.push(`close the quote of \`${a.name}\``)
    else if (a.escaped)
      problems.push(`\`${a.name}\`: quoted values have no backslash escapes; write plot options as \`opt.<option>=<value>\` attributes`)
    else if (a.quote !== null && a.value?.includes('}')) {
      problems.push(
        `\`${a.name}\` holds \`}\`: Sätteri (Astro's default Markdown processor) ends the attributes at the first \`}\`, even inside quotes, and drops the directive; write plot options as \`opt.<option>=<value>\` attributes instead of JSON`,
      )
    } else if (a.quote === null && a.value !== undefined && /[=:"'`<>]/.test(a.value)) {
      problems.push(`quote the value of \`${a.name}\` (unquoted values cannot hold \`=\`, \`:\` or quotes portably)`)
    }
  }
  if (open.braceStart < 0 && /^\s*\S/.test(open.trailing) && !open.trailing.trimStart().startsWith('[')) {
    if (open.colons.length >= 3)
      problems.push('put nothing but `[label]{attributes}` on the opening line; the content goes on the next lines')
  }
  return problems
}

/**
 * Checks a page for Flowmark blocks that will not do what the author meant, and says how to write them portably:
 * * `lint-unparsed-directive`: a paragraph starting with `:::dispatcher` (or `::dispatcher`, `:::testsetup`,
 *   `:::testcleanup`): it failed to parse (space before `{`, unquoted `=` in a value, backslash escapes, …);
 * * `lint-early-close`: a container closed early by a `:::` line inside one of its fences (use four colons);
 * * `lint-stray-closer`: a `:::` line that closes nothing (a nested container closed its parent too);
 * * `lint-unclosed`: a container without its closing line, which swallows the rest of its parent;
 * * `lint-space-before-brace`, `lint-unquoted-value`, `lint-brace-in-value`: directives that parsed here but that
 *   other processors read differently (Sätteri drops attributes after a space and whole directives whose quoted
 *   values hold `}`; quote values holding `=`, `:` or spaces);
 * * `lint-prompt`: a `>` followed by a tab or a no-break space in a TS/JS fence, which is not a transcript prompt.
 * @param root The mdast tree (with positions).
 * @param file The page; without `file.source` only the tree-visible problems are found.
 * @returns Warnings with file and position, in document order.
 */
export function lintPage(root: Root, file: FileInfo): Diagnostic[] {
  const out: Diagnostic[] = []
  const source = file.source
  const lineOf = (node: Node): string | undefined => {
    if (source === undefined || !node.position) return undefined
    return sourceLine(source, node.position.start.line)?.slice(node.position.start.column - 1)
  }

  const visit = (parent: Parent): void => {
    let unparsedBefore = false
    for (const child of parent.children) {
      if (child.type === 'paragraph' && !(child.data as { directiveLabel?: boolean } | undefined)?.directiveLabel) {
        const text = lineOf(child) ?? firstText(child as Paragraph)
        const open = readOpeningLine(text)
        if (open && !NAMES.has(open.name)) {
          // Someone else's directive that did not parse: its closer is not ours to report.
          unparsedBefore = true
          continue
        }
        if (open) {
          unparsedBefore = true
          const problems = openingProblems(open)
          const fixed = portableOpening(open)
          const why = problems.length > 0 ? problems.join('; ') : 'check the directive syntax'
          out.push(
            diagnostic(
              file,
              'warning',
              'lint-unparsed-directive',
              startOf(child),
              `\`${text.trim()}\` is not a directive, it was read as a paragraph: ${why}. Portable form: \`${fixed}\`.`,
            ),
          )
          continue
        }
        const stray = unparsedBefore ? -1 : strayCloserLine(child as Paragraph, source)
        if (stray >= 0) {
          const closer = (source === undefined ? undefined : sourceLine(source, stray))?.trim() ?? ':::'
          out.push(
            diagnostic(
              file,
              'warning',
              'lint-stray-closer',
              { line: stray, column: 1 },
              `This \`${closer}\` line closes nothing: a nested container closed its parent as well, or its opening line did not parse. Give the outer container more colons than the inner one (\`::::dispatcher\` … \`::::\`).`,
            ),
          )
        }
        continue
      }
      if (child.type === 'code') out.push(...lintPrompts(child as Code, file))
      if (isFlowmarkDirective(child)) {
        lintDirective(child, lineOf(child), file, source, out)
      }
      if ('children' in child && Array.isArray(child.children)) visit(child as Parent)
    }
  }
  visit(root)
  return out
}

/** `>` followed by a tab or a Unicode space other than U+0020: looks like a prompt, is not one. */
const LOOKALIKE_PROMPT = /^(\s*)>([\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000])/

/** How a look-alike prompt's separator is named in messages. */
function separatorName(char: string): string {
  if (char === '\t') return 'a tab'
  if (char === '\u00a0') return 'a no-break space'
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
}

/**
 * `lint-prompt`: lines of a TypeScript/JavaScript fence that start with `>` followed by a tab or a no-break (or other
 * Unicode) space. A prompt is `> ` with a plain space: as the first line, such a line makes the fence plain code that
 * is never checked; later in a transcript, it is read as expected output of the statement above.
 * @param code A fenced code node.
 * @param file The page.
 */
function lintPrompts(code: Code, file: FileInfo): Diagnostic[] {
  if (codeLang(code.lang) === undefined || !code.position) return []
  const out: Diagnostic[] = []
  const lines = code.value.split('\n')
  const first = lines.findIndex((line) => line.trim() !== '')
  const transcript = isTranscript(code.value)
  lines.forEach((line, index) => {
    const match = LOOKALIKE_PROMPT.exec(line)
    if (match === null) return
    const what = separatorName(match[2]!)
    const effect =
      index === first
        ? 'so this fence is not a transcript: nothing in it is run or checked'
        : transcript
          ? 'so this line is read as expected output of the statement above, not as a statement'
          : 'so it is not a prompt'
    out.push(
      diagnostic(
        file,
        'warning',
        'lint-prompt',
        { line: code.position!.start.line + 1 + index, column: code.position!.start.column + match[1]!.length },
        `\`>\` is followed by ${what}, not a space, ${effect}. Write the prompt as \`> \` (\`>\` and one plain space).`,
      ),
    )
  })
  return out
}

/**
 * The line of a paragraph that consists of colons only (a closing fence that closed nothing), or -1.
 * @param paragraph A paragraph.
 * @param source The page source, if known.
 */
function strayCloserLine(paragraph: Paragraph, source: string | undefined): number {
  const position = paragraph.position
  const text =
    source !== undefined && position?.start.offset !== undefined && position.end.offset !== undefined
      ? source.slice(position.start.offset, position.end.offset)
      : paragraph.children.map((c) => (c.type === 'text' ? c.value : '\u0000')).join('')
  const lines = text.split('\n')
  const at = lines.findIndex((l) => /^\s*:{3,}\s*$/.test(l))
  return at < 0 ? -1 : (position?.start.line ?? 1) + at
}

/** The text of a paragraph's first line, from the tree (when the source is not known). */
function firstText(paragraph: Paragraph): string {
  const first = paragraph.children[0]
  return first?.type === 'text' ? (first.value.split('\n')[0] ?? '') : ''
}

/** Lint of a directive that did parse. */
function lintDirective(
  node: BlockDirective,
  line: string | undefined,
  file: FileInfo,
  source: string | undefined,
  out: Diagnostic[],
): void {
  const open = line === undefined ? undefined : readOpeningLine(line)
  if (open && open.name === node.name) {
    if (open.spaceBeforeBrace) {
      out.push(
        diagnostic(
          file,
          'warning',
          'lint-space-before-brace',
          startOf(node),
          `Space before \`{\` in \`${line?.trim()}\`: other Markdown processors drop these attributes. Portable form: \`${portableOpening(open)}\`.`,
        ),
      )
    }
    for (const a of open.attributes) {
      if (a.quote !== null && a.value?.includes('}')) {
        const parsed = a.name === 'opt' ? optionValue(a.value) : undefined
        const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        // Bad `opt` JSON already has its own error; a fix would only repeat it.
        if (a.name !== 'opt' || isObject) {
          const fix = isObject ? `Portable form: \`${portableOpening(open)}\`.` : `Keep \`}\` out of attribute values.`
          out.push(
            diagnostic(
              file,
              'warning',
              'lint-brace-in-value',
              { line: startOf(node).line, column: startOf(node).column + a.nameStart },
              `The value of \`${a.name}\` holds \`}\`: this parses here, but Sätteri (Astro's default Markdown processor) ends the attributes at the first \`}\` and drops the directive. ${fix}`,
            ),
          )
        }
      }
      if (a.quote === null && a.value !== undefined && /[=:]/.test(a.value)) {
        out.push(
          diagnostic(
            file,
            'warning',
            'lint-unquoted-value',
            { line: startOf(node).line, column: startOf(node).column + a.nameStart },
            `Quote the value of \`${a.name}\`: unquoted values holding \`=\` or \`:\` are read differently by other Markdown processors. Portable form: \`${portableOpening(open)}\`.`,
          ),
        )
      }
    }
  }
  if (node.type !== 'containerDirective' || source === undefined || !node.position) return
  const colons = open?.colons ?? ':::'
  const { start, end } = node.position
  if (start.offset !== undefined && end.offset !== undefined) {
    // Only a container that runs to the end of the file: one closed together with its parent is a stray-closer case.
    const text = source.slice(start.offset, end.offset).replace(/\s+$/, '')
    const lines = text.split('\n')
    const last = (lines[lines.length - 1] ?? '').trim()
    const closed = lines.length >= 2 && /^:+$/.test(last) && last.length >= colons.length
    if (!closed && source.slice(end.offset).trim() === '') {
      out.push(
        diagnostic(
          file,
          'warning',
          'lint-unclosed',
          startOf(node),
          `\`${colons}${node.name}\` is never closed, so it holds everything up to line ${start.line + lines.length - 1}; close it with a \`${colons}\` line after its last fence.`,
        ),
      )
    }
  }
  for (const child of node.children) {
    if (child.type !== 'code' || !child.position) continue
    if (fenceClosed(child, source)) continue
    const end = node.position.end
    out.push(
      diagnostic(
        file,
        'warning',
        'lint-early-close',
        { line: end.line, column: 1 },
        `This \`${colons}\` line inside a code fence closed \`${colons}${node.name}\` (line ${node.position.start.line}) early; the rest of the fence spilled out of the block. ` +
          `Use more colons around blocks whose fences contain \`${colons}\`: \`${':'.repeat(colons.length + 1)}${node.name}{…}\` … \`${':'.repeat(colons.length + 1)}\`.`,
      ),
    )
  }
}

/** Whether a fenced code node ends with its closing fence in the source (a container may cut it short). */
function fenceClosed(code: Code, source: string): boolean {
  const { start, end } = code.position ?? {}
  if (start?.offset === undefined || end?.offset === undefined) return true
  const text = source.slice(start.offset, end.offset)
  const opener = /^[ \t]*(`{3,}|~{3,})/.exec(text)
  if (!opener) return true
  const fence = opener[1] ?? '```'
  const lines = text.split('\n')
  if (lines.length < 2) return false
  const last = (lines[lines.length - 1] ?? '').trim()
  return last.length >= fence.length && last === (fence[0] ?? '`').repeat(last.length)
}
