// A self-contained HTML document showing rendered graphs, with the viewer's script and stylesheet inlined.
import { escapeHtml } from '../core/html.ts'
import { inlineScript, inlineStyle } from './assets.ts'

/** Options of {@link standalonePage}. */
export interface StandalonePageOptions {
  /** Document title and heading. */
  readonly title: string
  /** A sentence under the heading (plain text). */
  readonly subtitle?: string
}

const PAGE_CSS = `
:root { color-scheme: light dark; --page-bg: #ffffff; --page-fg: #1b1f24; --page-muted: #5b6470; }
@media (prefers-color-scheme: dark) { :root { --page-bg: #17181c; --page-fg: #e6e8eb; --page-muted: #9aa3ad; } }
html { background: var(--page-bg); color: var(--page-fg); }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem clamp(1rem, 3vw, 2.5rem) 3rem;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; font-weight: 650; letter-spacing: -.01em; }
header p { margin: 0 0 1.25rem; color: var(--page-muted); }
footer { margin-top: 1.5rem; font-size: .85rem; color: var(--page-muted); }
`

/**
 * Wraps rendered `<flowmark-graph>` HTML in a complete document that works from a `file://` URL: no external
 * requests, the viewer script and stylesheet inlined.
 * @param graphs HTML of one or more `<flowmark-graph>` elements (from `renderPlot`).
 * @param options Title and subtitle.
 */
export async function standalonePage(graphs: string | readonly string[], options: StandalonePageOptions): Promise<string> {
  const body = typeof graphs === 'string' ? graphs : graphs.join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="flowmark">
<title>${escapeHtml(options.title)}</title>
<style>${PAGE_CSS}</style>
${await inlineStyle()}
</head>
<body>
<header><h1>${escapeHtml(options.title)}</h1>${options.subtitle === undefined ? '' : `<p>${escapeHtml(options.subtitle)}</p>`}</header>
<main>
${body}
</main>
<footer>Drawn by flowmark with Graphviz. Ctrl/⌘ + wheel zooms, drag pans, click a sub-model to open it.</footer>
${await inlineScript()}
</body>
</html>
`
}
