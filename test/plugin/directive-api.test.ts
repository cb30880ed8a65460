// The public surface of the directive core and of @flowmark/docs/remark is a tested artefact: its sorted export names.
import { expect, test } from 'vitest'
import * as core from '../../plugin/core/index.ts'
import * as remark from '../../plugin/remark.ts'

test('plugin/core exports', () => {
  expect(Object.keys(core).sort()).toEqual([
    'DISPATCHER',
    'DISPATCHER_ATTRIBUTES',
    'FLAG_NAMES',
    'FlowmarkPluginError',
    'LAYOUT_ENGINES',
    'PluginOptionsError',
    'TABLE_KINDS',
    'TESTCLEANUP',
    'TESTSETUP',
    'blockId',
    'checkSetupDirective',
    'codeLang',
    'collectPage',
    'descriptionHtml',
    'diagnostic',
    'directiveLabel',
    'dottedOptions',
    'drawIdOf',
    'elementData',
    'endOf',
    'escapeHtml',
    'fenceContentStart',
    'htmlAttributes',
    'isFlowmarkDirective',
    'isTranscript',
    'lintPage',
    'optionValue',
    'pageDefaults',
    'pageIndexHtml',
    'pageSections',
    'pageSession',
    'parseDispatcher',
    'parseFenceMeta',
    'perPageRenderer',
    'portableAttributes',
    'possessive',
    'readFlagWords',
    'readOpeningLine',
    'readerMessage',
    'sourceLine',
    'splitFrontmatter',
    'startOf',
    'tableHtml',
    'transformDirective',
    'treeSession',
    'withMaxHeight',
  ])
})

test('@flowmark/docs/remark exports', () => {
  expect(Object.keys(remark).sort()).toEqual(['default', 'remarkDispatcher', 'validateOptions'])
  expect(remark.default).toBe(remark.remarkDispatcher)
})
