// Text helpers of the API generator: autosummary first sentences and page slugs.

const ABBREVIATIONS = new Set(['e.g', 'i.e', 'cf', 'vs', 'etc.,', 'approx', 'resp', 'no', 'fig', 'eq'])

/**
 * The first sentence of a text, as autosummary tables show it: the first paragraph, whitespace collapsed, up to
 * the first `.`, `!` or `?` that is followed by whitespace or the end (not inside a code span, not after a
 * common abbreviation such as `e.g.`); if there is no such stop, the whole first line.
 *
 * @param text Markdown text (a description or a doc-comment summary).
 * @returns The sentence, trimmed; `''` for empty text.
 */
export function firstSentence(text: string | undefined): string {
  if (text === undefined) return ''
  const trimmed = text.trim()
  if (trimmed === '') return ''
  const paragraph = trimmed.split(/\n[ \t]*\n/, 1)[0] as string
  const flat = paragraph.replace(/\s+/g, ' ')
  let inCode = false
  for (let i = 0; i < flat.length; i++) {
    const ch = flat[i]
    if (ch === '`') inCode = !inCode
    if (inCode || (ch !== '.' && ch !== '!' && ch !== '?')) continue
    const next = flat[i + 1]
    if (next !== undefined && next !== ' ') continue
    if (ch === '.') {
      const word = /(\S+)$/.exec(flat.slice(0, i))?.[1]?.toLowerCase() ?? ''
      if (ABBREVIATIONS.has(word.replace(/^[(["']+/, ''))) continue
    }
    return flat.slice(0, i + 1)
  }
  return (trimmed.split('\n', 1)[0] as string).trim()
}

/**
 * A URL-safe slug for a name: lowercase kebab-case (`idText` → `id-text`, `WRAPPED_MODEL` → `wrapped-model`,
 * `api-package` stays). Characters other than letters, digits, `-` and `_` become `-`.
 *
 * @param name An exported name or a module path segment.
 * @returns The slug (never empty: `'_'` for names without letters or digits).
 */
export function slugify(name: string): string {
  const s = name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
  return s === '' ? '_' : s
}
