// Prettier's settings: the code's own style (two spaces, single quotes, no semicolons) at a width of 140 columns.

/**
 * 140 columns: the code was written with comments wrapped at 120 and code lines up to ~160 (99% of lines fit in 157);
 * at 140 a first `npm run format` rewraps about half as many lines as at 120, and diffs still read side by side.
 * @type {import('prettier').Config}
 */
export default {
  printWidth: 140,
  semi: false,
  singleQuote: true,
  trailingComma: 'all',
}
