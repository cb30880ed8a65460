// HTML/XML helpers for every piece of markup Flowmark writes: the one escaper, and attribute lists.

/**
 * Characters that XML 1.0 does not allow anywhere (C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF;
 * lone surrogates): written into an SVG, one makes the file not well-formed, and in HTML they are parse errors.
 */
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

const ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/**
 * The one escaper of Flowmark's markup (directive HTML, rendered graphs, SVG, standalone pages): makes text safe as
 * HTML or XML element content and inside a quoted attribute value. `&`, `<`, `>`, `"` and `'` become character
 * references; characters XML does not allow (NUL, BEL, ESC and the other C0 controls but tab and newlines, U+FFFE,
 * U+FFFF, lone surrogates) become U+FFFD, so the output is well-formed XML whatever ids and labels hold.
 * @param text Any text.
 * @returns The escaped text.
 */
export function escapeHtml(text: string): string {
  if (!/[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/.test(text)) return text
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITY[c]!)
}

/**
 * Builds an attribute list (with a leading space) from name/value pairs, skipping undefined values.
 * @param attributes Attribute names and values; `true` writes a bare attribute.
 * @returns For example ` class="a" id="b"`, or `''` when nothing is set.
 */
export function htmlAttributes(attributes: Readonly<Record<string, string | true | undefined>>): string {
  let out = ''
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`
  }
  return out
}
