// Escaping for DOT: HTML-like label text, quoted strings, node names; control characters made visible.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
/** Printable ASCII but the characters any escaper changes: such text passes every escaper unchanged. */
const PLAIN = /^[\x20-\x21\x23-\x25\x28-\x3b\x3d\x3f-\x5b\x5d-\x7e]*$/
// C0 controls but tab and newline, DEL, and the C1 controls: XML (and so Graphviz's HTML parser) rejects most of them.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g

/**
 * Text made safe to embed anywhere in DOT: `\r\n` and `\r` become `\n`, lone UTF-16 surrogates become U+FFFD and
 * control characters (other than tab and newline) become their visible "control picture" (U+2400 + code, `␡` for
 * DEL, `�` for C1 controls). Everything else, including any Unicode, is kept.
 */
export function cleanText(text: string): string {
  if (PLAIN.test(text)) return text
  return text
    .replace(/\r\n?/g, '\n')
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(CONTROL, (c) => {
      const code = c.charCodeAt(0)
      return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\uFFFD'
    })
}

/**
 * Text for the inside of an HTML-like label (`<TD>…</TD>`): XML special characters become entities, newlines become
 * `<BR/>`, tabs become spaces (Graphviz drops them), and backslashes are doubled (Graphviz would otherwise expand `\N`, `\G`… inside label text).
 */
export function htmlText(text: string): string {
  if (PLAIN.test(text)) return text
  return htmlEscape(text).replace(/\t/g, ' ').replace(/\n/g, '<BR/>')
}

/** An attribute value inside an HTML-like label (`href="…"`): XML-escaped, backslashes doubled (read once). */
export function htmlAttribute(text: string): string {
  return htmlEscape(text).replace(/\n/g, '&#10;')
}

/** What HTML-like label text and attribute values share: cleaned, XML special characters as entities, `\` doubled. */
function htmlEscape(text: string): string {
  return cleanText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\\/g, '\\\\')
}

/**
 * A DOT quoted string for label-like attributes (`label`, `xlabel`, `id`, colours…): `"` and `\` are escaped so the
 * text reads back literally; a newline becomes `\n` (a centred line break).
 */
export function quoteLabel(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`
  return `"${cleanText(text).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
}

/**
 * A DOT quoted string for the attributes Graphviz unescapes twice (the tooltips): each backslash is written four
 * times so that neither pass turns `\N` or `\G` into the node or graph name. (Links, `URL` and `href`, are read once,
 * like labels: `quoteLabel`.)
 */
export function quoteEscString(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`
  return `"${cleanText(text).replace(/\\/g, '\\\\\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
}

/**
 * Fits text in at most `maxLines` lines of at most `maxWidth` characters (code points): long lines are wrapped at a
 * space when there is one in their second half, else broken; what does not fit ends with `…`.
 */
export function boundText(text: string, maxLines: number, maxWidth: number): string {
  const lines: string[] = []
  for (const line of text.split('\n')) {
    let rest = Array.from(line)
    while (rest.length > maxWidth) {
      let cut = rest.lastIndexOf(' ', maxWidth)
      if (cut < maxWidth / 2) cut = maxWidth
      lines.push(rest.slice(0, cut).join('').trimEnd())
      rest = rest.slice(rest[cut] === ' ' ? cut + 1 : cut)
    }
    lines.push(rest.join(''))
    if (lines.length > maxLines) break
  }
  if (lines.length <= maxLines) return lines.join('\n')
  const kept = lines.slice(0, maxLines)
  const last = Array.from(kept[maxLines - 1]!)
  kept[maxLines - 1] = (last.length >= maxWidth ? last.slice(0, maxWidth - 1).join('') : last.join('')) + '…'
  return kept.join('\n')
}

/**
 * The DOT id of a node: special tokens keep their name (`start`, `sink`, `end`, `self`, `plot`, `empty`); a string id
 * `x` becomes `n-x` where every character outside `[A-Za-z0-9_]` is written `-<hex code point>-`. The mapping is
 * injective, stable (it depends on the id only) and safe in DOT, SVG, HTML ids and CSS selectors.
 */
export function dotIdOf(id: string | symbol): string {
  if (typeof id === 'symbol') return String(id.description).replace(/[^A-Za-z0-9_]/g, '_')
  let out = 'n-'
  for (const ch of id) out += /[A-Za-z0-9_]/.test(ch) ? ch : `-${ch.codePointAt(0)!.toString(16)}-`
  return out
}

/**
 * One segment of a page path: a string id with `%` written `%25` and `/` written `%2F`; the empty string is `%`;
 * a special token is `%` followed by its name (`%start`). Segments never contain `/`, so paths split unambiguously.
 */
export function pathSegment(id: string | symbol): string {
  if (typeof id === 'symbol') return `%${String(id.description)}`
  if (id === '') return '%'
  return id.replace(/%/g, '%25').replace(/\//g, '%2F')
}

/** Joins a parent page path and a node id into the child page path (`''` + `S` → `S`, `S` + `T` → `S/T`). */
export function childPath(parent: string, id: string | symbol): string {
  return parent === '' ? pathSegment(id) : `${parent}/${pathSegment(id)}`
}
