// Small HTML helpers for the markup the directive core writes (escaping, class and style attributes).

/**
 * Escapes text for use in HTML element content or in a double-quoted attribute value.
 * @param text Any text.
 * @returns The text with `&`, `<`, `>`, `"` and `'` replaced by character references.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'))
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
