// Markup helpers of the renderer: entity decoding, JSON inside <script>, id slugs (escaping is core/html.ts's escapeHtml).

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

/** Decodes the XML character references Graphviz writes (`&amp;`, `&#45;`, `&#x2F;`, …) back to text. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10)
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    return NAMED[ref] ?? whole
  })
}

/**
 * Serialises a value as JSON that is safe inside `<script type="application/json">`: `<`, `>`, `&` and the line
 * separators U+2028/U+2029 are written as `\u` escapes, so no text (`</script>`, `<!--`, `]]>`) can end the element.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** A token-safe form of `text` for element ids and class names: letters, digits, `_` and `-` only. */
export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return /^[A-Za-z]/.test(s) ? s : `g-${s}`
}
