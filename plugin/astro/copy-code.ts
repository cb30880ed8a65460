// Copy buttons that copy runnable code: an Expressive Code plugin stripping REPL prompts, outputs and doctest flags.
import { codeLang, isTranscript } from '../core/fence.ts'
import { parseTranscript } from '../doctest/transcript.ts'

const FLAG_COMMENT = /[ \t]*\/\/\s*doctest:.*$/

/**
 * The code a reader can paste into a file and run, as Sphinx's copy button gives it for schedula's docs: for a
 * Node-REPL transcript, the statements without their `> ` and `... ` prompts and without the expected output; for
 * any TypeScript or JavaScript code, without `// doctest:` flag comments.
 *
 * @param code The code block's text.
 * @returns The runnable code (unchanged when there is nothing to strip).
 */
export function runnableCode(code: string): string {
  const strip = (text: string) =>
    text
      .split('\n')
      .map((line) => line.replace(FLAG_COMMENT, ''))
      .join('\n')
  if (!isTranscript(code)) return strip(code)
  return parseTranscript(code)
    .statements.map((s) => strip(s.text))
    .join('\n')
}

/** The parts of a hast element the plugin reads. */
interface HastLike {
  readonly type: string
  readonly properties?: Record<string, unknown>
  readonly children?: readonly HastLike[]
}

/** The subset of Expressive Code's plugin interface this plugin uses (so that its types are not a dependency). */
export interface CopyCodePlugin {
  readonly name: string
  readonly hooks: {
    readonly postprocessRenderedBlock: (context: {
      readonly codeBlock: { readonly code: string; readonly language: string }
      readonly renderData: { readonly blockAst: HastLike }
    }) => void
  }
}

/**
 * An Expressive Code plugin (Starlight's code blocks) that makes the copy button of every TypeScript and JavaScript
 * block copy `runnableCode`. Add it after the frames plugin, which makes the button (Starlight's default):
 * `starlight({ expressiveCode: { plugins: [copyRunnableCode()] } })`; `starlightFlowmark()` adds it for you.
 *
 * @returns The plugin.
 */
export function copyRunnableCode(): CopyCodePlugin {
  return {
    name: 'flowmark-copy-runnable-code',
    hooks: {
      postprocessRenderedBlock: ({ codeBlock, renderData }) => {
        if (codeLang(codeBlock.language) === undefined) return
        const runnable = runnableCode(codeBlock.code)
        if (runnable === codeBlock.code) return
        const visit = (node: HastLike): void => {
          const props = node.properties
          if (node.type === 'element' && props !== undefined && typeof props['dataCode'] === 'string') {
            // The frames plugin stores the code with newlines as U+007F (its script turns them back).
            props['dataCode'] = runnable.replace(/\n/g, '\u007f')
          }
          for (const child of node.children ?? []) visit(child)
        }
        visit(renderData.blockAst)
      },
    },
  }
}
