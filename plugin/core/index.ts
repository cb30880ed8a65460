// The processor-independent directive core (re-exports only): what every Markdown adapter (unified, Sätteri) calls.
export { pageSession, treeSession } from './page.ts'
export type { PageSession, PageSessionOptions } from './page.ts'
export { collectPage, blockId, drawIdOf, fenceContentStart } from './collect.ts'
export type { CollectOptions, DirectiveSite, PagePlan } from './collect.ts'
export {
  DISPATCHER,
  TESTSETUP,
  TESTCLEANUP,
  DISPATCHER_ATTRIBUTES,
  LAYOUT_ENGINES,
  TABLE_KINDS,
  isFlowmarkDirective,
  parseDispatcher,
  checkSetupDirective,
  directiveLabel,
  optionValue,
  dottedOptions,
} from './directive.ts'
export type { BlockDirective, DispatcherSpec, FlowmarkDirectiveName, ParsedDispatcher } from './directive.ts'
export {
  transformDirective,
  tableHtml,
  descriptionHtml,
  possessive,
  elementData,
  withMaxHeight,
  readerMessage,
  pageIndexHtml,
  pageSections,
  perPageRenderer,
} from './output.ts'
export type { DirectiveContext, DirectiveOutput, DirectiveParts, RenderPlot, RenderRequestOptions } from './output.ts'
export { lintPage } from './lint.ts'
export { codeLang, isTranscript, parseFenceMeta, readFlagWords, FLAG_NAMES } from './fence.ts'
export type { CodeLang, FenceMeta, FlagWords } from './fence.ts'
export { splitFrontmatter, pageDefaults } from './frontmatter.ts'
export type { PageDefaults, SplitFrontmatter } from './frontmatter.ts'
export { readOpeningLine, portableAttributes, sourceLine } from './opening.ts'
export type { AttributeToken, OpeningLine } from './opening.ts'
export { startOf, endOf, diagnostic } from './file.ts'
export type { FileInfo } from './file.ts'
export { escapeHtml, htmlAttributes } from './html.ts'
export { FlowmarkPluginError, PluginOptionsError } from './errors.ts'
export type * from './types.ts'
