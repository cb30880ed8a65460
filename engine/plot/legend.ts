// The legend: a catalogue of every node and edge style of a plot, grouped in labelled clusters.
import { attributeList, dotName, mergeAttributes, table, type DotValue, type TableRow } from './dot.ts'
import { LAYOUT_ENGINES, PlotOptionError, type LayoutEngine } from './options.ts'
import { PlotImpl, PlotPageImpl } from './plot.ts'
import { NODE_STYLES } from './styles.ts'
import type { Plot, PlotNode } from './types.ts'
import type { DotAttributes, StyleKey } from './options.ts'

/** Options of `legend()`. */
export interface LegendOptions {
  /** Layout engine recorded on the page (default `'dot'`). */
  readonly engine?: LayoutEngine
}

interface Sample {
  readonly name: string
  readonly style: StyleKey
  readonly level?: 'warning' | 'error'
  /** Title of the table; absent for the egg-shaped special nodes (plain label). */
  readonly title?: string
  readonly rows?: readonly (readonly [string, string])[]
  readonly text: string
  readonly kind: PlotNode['kind']
}

const CLUSTERS: readonly (readonly [string, readonly Sample[]])[] = [
  [
    'Data',
    [
      {
        name: 'data',
        style: 'data',
        kind: 'data',
        title: '<data id> (data node)',
        text: 'A data node: a value of the solution.\nThis sample lists the rows it can show.',
        rows: [
          ['default', 'Value used when no input is given.'],
          ['initial_dist', 'Distance the default value starts at.'],
          ['wait_inputs', 'true: waits for every producer, then combines them.'],
          ['wildcard', 'false: never recomputed in wildcard dispatches.'],
          ['function', 'Combines the estimations into the value.'],
          ['callback', 'Called with the final value.'],
          ['weight', 'Added to every edge entering the node.'],
          ['filter x', 'Filter x, applied in order to the value.'],
          ['input_filter 0', 'The value before the first filter.'],
          ['output_filter x', 'The value after filter x.'],
          ['remote parent x', 'The parent data node that feeds this one.'],
          ['remote child x', 'The parent data node this one sets.'],
          ['distance', 'Distance from START at which it was reached.'],
          ['error', 'Why computing the value failed.'],
        ],
      },
    ],
  ],
  [
    'Special Nodes',
    [
      { name: 'empty', style: 'empty', kind: 'other', text: 'A dispatcher or a workflow with no node.' },
      { name: 'start', style: 'start', kind: 'start', text: 'START: every input and default value\nflows out of it.' },
      {
        name: 'end',
        style: 'end',
        kind: 'end',
        text: 'END: marks the end of a sub-dispatch;\nit collects the outputs of a wrapped model.',
      },
      { name: 'sink', style: 'sink', kind: 'sink', text: 'SINK: receives the results of functions\nthat declare no output.' },
      { name: 'self', style: 'self', kind: 'self', text: 'SELF: the dispatcher itself,\nused as a data value.' },
      { name: 'plot', style: 'plot', kind: 'plot', text: 'PLOT: draws the solution\nfrom inside the model.' },
    ],
  ],
  [
    'Functions',
    [
      {
        name: 'function',
        style: 'function',
        kind: 'function',
        title: '<function id> (function node)',
        text: 'A function node: computes its outputs\nfrom its inputs. This sample lists its rows.',
        rows: [
          ['function', 'The function called.'],
          ['input_domain', 'Skips the call when it returns false.'],
          ['solution_domain', 'What the input domain answered.'],
          ['weight', 'Added to every input edge.'],
          ['filter x', 'Filter x, applied in order to the result.'],
          ['input_filter 0', 'The result before the first filter.'],
          ['output_filter x', 'The result after filter x.'],
          ['distance', 'Distance from START at which it ran.'],
          ['started', 'When the call started.'],
          ['duration', 'How long the call and its filters took.'],
        ],
      },
      {
        name: 'run_model',
        style: 'run_model',
        kind: 'function',
        title: '<function id> (run_model)',
        text: 'Runs the model given as its first argument;\nthe workflow it produces joins the parent one.',
      },
      {
        name: 'subdispatch',
        style: 'subdispatch',
        kind: 'function',
        title: '<function id> (SubDispatch)',
        text: 'A model wrapped as a function:\nits input is an object of values by id.',
      },
      {
        name: 'mapdispatch',
        style: 'mapdispatch',
        kind: 'function',
        title: '<function id> (MapDispatch)',
        text: 'A model wrapped as a function run once per item\nof its input, like `map`.',
      },
      {
        name: 'subdispatchfunction',
        style: 'subdispatchfunction',
        kind: 'function',
        title: '<function id> (SubDispatchFunction)',
        text: 'A model cut down to given inputs and outputs,\ncalled like a plain function.',
      },
      {
        name: 'subdispatchpipe',
        style: 'subdispatchpipe',
        kind: 'function',
        title: '<function id> (SubDispatchPipe)',
        text: 'Like SubDispatchFunction, with the path\nprecomputed once (a pipe).',
      },
      {
        name: 'dispatchpipe',
        style: 'dispatchpipe',
        kind: 'function',
        title: '<function id> (DispatchPipe)',
        text: 'Like SubDispatchPipe, but it reuses\nand overwrites its solution.',
      },
    ],
  ],
  [
    'Warnings and Errors',
    [
      {
        name: 'error',
        style: 'function',
        level: 'error',
        kind: 'function',
        title: '<node id> (error)',
        rows: [['error', 'The failure message.']],
        text: 'A node that failed while it ran.',
      },
      {
        name: 'warning',
        style: 'function',
        level: 'warning',
        kind: 'function',
        title: '<node id> (warning)',
        rows: [
          ['M_inputs', 'Inputs that never arrived.'],
          ['M_outputs', 'Outputs it did not produce.'],
        ],
        text: 'A function reached without all its inputs,\nor that did not produce all its outputs.',
      },
    ],
  ],
  [
    'Sub-dispatcher',
    [
      {
        name: 'dispatcher',
        style: 'dispatcher',
        kind: 'dispatcher',
        title: '<dispatcher id> (sub-dispatcher)',
        text: 'A sub-dispatcher node: a model nested in this one,\nsharing its search. Click it to open its page.',
        rows: [
          ['input_domain', 'Starts the child only when it returns true.'],
          ['solution_domain', 'What the input domain answered.'],
          ['weight', 'Added to every input edge.'],
          ['distance', 'Distance from START at which it started.'],
        ],
      },
    ],
  ],
]

const LEGEND_TEXT: DotAttributes = NODE_STYLES['legend-text']

/**
 * The legend page: one sample of every node style (data, the special nodes, functions and the model-wrapping
 * variants, warning and error, sub-dispatcher) and of an edge with its rows, each with a dashed arrow to a short
 * explanation, grouped in clusters laid out left to right.
 */
export function legend(options: LegendOptions = {}): Plot {
  for (const k of Object.keys(options)) {
    if (k !== 'engine') throw new PlotOptionError(k, `legend(): unknown option \`${k}\`. Valid options: engine`)
  }
  const engine = options.engine ?? 'dot'
  if (!(LAYOUT_ENGINES as readonly string[]).includes(engine)) {
    throw new PlotOptionError('engine', `legend(): \`engine\` must be one of ${LAYOUT_ENGINES.join(', ')}, got ${JSON.stringify(engine)}`)
  }
  const lines: string[] = [
    'digraph legend {',
    `\tgraph ${attributeList(mergeAttributes({ label: '', rankdir: 'LR' }))}`,
    `\tnode ${attributeList(mergeAttributes({ style: 'filled' }))}`,
  ]
  const nodes: PlotNode[] = []
  const arrows: string[] = []
  CLUSTERS.forEach(([label, samples], i) => {
    lines.push(`\tsubgraph ${dotName(`cluster_${i}`)} {`, `\t\tgraph ${attributeList(mergeAttributes({ label }))}`)
    for (const s of samples) {
      const id = `legend-${s.name}`
      const attrs = mergeAttributes(NODE_STYLES[s.style], s.level === undefined ? undefined : NODE_STYLES[s.level])
      const fontcolor = attrs.get('fontcolor')
      const layer: Record<string, DotValue> = { id }
      if (s.title === undefined) layer.label = s.name
      else
        layer.label = table(
          s.title,
          (s.rows ?? []).map(([name, value]): TableRow => ({ name, value })),
          typeof fontcolor === 'string' ? fontcolor : 'black',
        )
      lines.push(`\t\t${dotName(id)} ${attributeList(mergeAttributes(Object.fromEntries(attrs), layer))}`)
      lines.push(`\t\t${dotName(`${id}-text`)} ${attributeList(mergeAttributes(LEGEND_TEXT, { label: s.text, id: `${id}-text` }))}`)
      arrows.push(`\t${dotName(id)} -> ${dotName(`${id}-text`)} [style="dashed"]`)
      nodes.push({
        dotId: id,
        label: s.name,
        kind: s.kind,
        description: s.text.replace(/\n/g, ' '),
        page: undefined,
        state: undefined,
        type: s.level ?? s.style,
      })
    }
    lines.push('\t}')
  })
  // The edge sample: two invisible ends and a real (not x-) label, as ortho splines are not used here.
  const edgeRows: TableRow[] = [
    { name: 'inp_id', value: 'Argument position, on the START edges of a wrapped model.' },
    { name: 'out_id', value: 'Result position, on the END edges of a wrapped model.' },
    { name: 'weight', value: 'Length of the edge (shown when not the default).' },
    { name: 'wildcard', value: 'The input given, on a START edge of a recomputed input.' },
    { name: 'value', value: 'What flowed along the edge (optional row).' },
  ]
  lines.push(`\tsubgraph ${dotName(`cluster_${CLUSTERS.length}`)} {`, `\t\tgraph ${attributeList(mergeAttributes({ label: 'Edges' }))}`)
  lines.push(
    `\t\t${dotName('legend-from')} ${attributeList(mergeAttributes(NODE_STYLES.data, { label: table('<from>', [], 'black'), id: 'legend-from', style: 'invis' }))}`,
  )
  lines.push(
    `\t\t${dotName('legend-to')} ${attributeList(mergeAttributes(NODE_STYLES.function, { label: table('<to>', [], 'black'), id: 'legend-to', style: 'invis' }))}`,
  )
  lines.push('\t}')
  arrows.push(
    `\t${dotName('legend-from')} -> ${dotName('legend-to')} ${attributeList(mergeAttributes({ label: table('<from> --> <to>', edgeRows, 'black'), xlabel: 'An edge, with the rows it can show.' }))}`,
  )
  nodes.push({
    dotId: 'legend-from',
    label: '<from>',
    kind: 'other',
    description: 'An edge, with the rows it can show.',
    page: undefined,
    state: undefined,
  })
  const dot = [...lines, ...arrows, '}', ''].join('\n')
  return new PlotImpl([new PlotPageImpl({ path: '', title: 'legend', kind: 'dmap', parent: undefined, dot, engine, nodes })])
}
