// The timeline (Gantt chart) of a dispatch: one bar per call, from its start to its end, as text or as a plot page.
import { formatPath, type NodePath } from '../errors.ts'
import { htmlText } from './escape.ts'
import { PlotImpl } from './plot.ts'
import type { Plot } from './types.ts'

/** One call on the timeline. */
export interface TimelineRow {
  /** The node's path from the solution the timeline was made from. */
  readonly path: NodePath
  /** When the call started, in milliseconds after the first call started. */
  readonly start: number
  /** How long the call ran, in milliseconds. */
  readonly duration: number
  /** Whether the node failed. */
  readonly failed: boolean
  /**
   * The thread the call ran on, as its lane's name (`'workers thread 3'`, `'main thread'`); undefined when every
   * call ran on the dispatching thread (the timeline then has no lanes).
   */
  readonly lane?: string | undefined
}

/** The name of the lane of the calls made on the dispatching thread when other calls ran on worker threads. */
export const MAIN_LANE = 'main thread'

function laneOrder(a: string, b: string): number {
  if (a === MAIN_LANE || b === MAIN_LANE) return a === b ? 0 : a === MAIN_LANE ? -1 : 1
  const na = Number(/(\d+)$/.exec(a)?.[1] ?? NaN)
  const nb = Number(/(\d+)$/.exec(b)?.[1] ?? NaN)
  return a.replace(/\d+$/, '') === b.replace(/\d+$/, '') && na !== nb ? na - nb : a < b ? -1 : a > b ? 1 : 0
}

const WIDTH = 480
const TEXT_WIDTH = 40

function ms(d: number): string {
  return `${d < 10 ? d.toFixed(1) : Math.round(d)} ms`
}

/**
 * The calls of a dispatch on a time axis (`solution.timeline()`): which ran side by side, which waited. `rows` are
 * the calls in start order; `toString()` draws them as text bars, `plot()` as a one-page plot (a Gantt chart) that
 * the docs plugin and the viewer draw like any other.
 */
export class Timeline {
  /** The calls, in the order they started. */
  readonly rows: readonly TimelineRow[]
  /** Title of the plot page. */
  readonly title: string

  constructor(title: string, rows: readonly TimelineRow[]) {
    this.title = title
    this.rows = rows
  }

  /**
   * The lanes, one per thread that ran calls (the dispatching thread first, then by thread id); empty when every call
   * ran on the dispatching thread.
   */
  get lanes(): string[] {
    const names = new Set<string>()
    for (const r of this.rows) if (r.lane !== undefined) names.add(r.lane)
    return [...names].sort(laneOrder)
  }

  /** The rows grouped by lane (one group, named undefined, when there are no lanes), each in start order. */
  #groups(): [string | undefined, TimelineRow[]][] {
    const lanes = this.lanes
    if (lanes.length === 0) return [[undefined, [...this.rows]]]
    return lanes.map((lane) => [lane, this.rows.filter((r) => r.lane === lane)])
  }

  /** From the first start to the last end, in milliseconds. */
  get span(): number {
    let end = 0
    for (const r of this.rows) end = Math.max(end, r.start + r.duration)
    return end
  }

  /**
   * Text bars, one line per call: `name  |   ####     | 12 ms`; with lanes, each lane's calls follow a
   * `[workers thread 3]` line.
   */
  toString(): string {
    const span = this.span || 1
    const pad = Math.max(0, ...this.rows.map((r) => formatPath(r.path).length))
    const line = (r: TimelineRow): string => {
      const from = Math.round((r.start / span) * TEXT_WIDTH)
      const len = Math.max(1, Math.round((r.duration / span) * TEXT_WIDTH))
      const bar = ' '.repeat(from) + (r.failed ? 'x' : '#').repeat(Math.min(len, TEXT_WIDTH - from || 1))
      return `${formatPath(r.path).padEnd(pad)} |${bar.padEnd(TEXT_WIDTH)}| ${ms(r.duration)}${r.failed ? ' (failed)' : ''}`
    }
    return this.#groups()
      .flatMap(([lane, rows]) => (lane === undefined ? [] : [`[${lane}]`]).concat(rows.map(line)))
      .join('\n')
  }

  /**
   * The timeline as a one-page plot: an HTML-like table with one bar per call, on a common time scale. Each row has
   * the same three columns (name, track, duration); the track is a nested table exactly {@link WIDTH} points wide,
   * so bars line up whatever their offsets.
   */
  plot(): Plot {
    const span = this.span || 1
    const bars = (r: TimelineRow): string => {
      const before = Math.min(WIDTH - 2, Math.round((r.start / span) * WIDTH))
      const bar = Math.max(2, Math.min(WIDTH - before, Math.round((r.duration / span) * WIDTH)))
      const after = WIDTH - before - bar
      const cell = (w: number, color?: string) =>
        w <= 0 ? '' : `<TD WIDTH="${w}" HEIGHT="14" FIXEDSIZE="TRUE"${color === undefined ? '' : ` BGCOLOR="${color}"`}></TD>`
      const track =
        `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>` +
        `${cell(before)}${cell(bar, r.failed ? '#ff3536' : '#73c4fa')}${cell(after)}</TR></TABLE>`
      return (
        `<TR><TD ALIGN="RIGHT">${htmlText(formatPath(r.path))}</TD><TD>${track}</TD>` +
        `<TD ALIGN="LEFT">${htmlText(ms(r.duration))}</TD></TR>`
      )
    }
    const rows = this.#groups().flatMap(([lane, group]) =>
      (lane === undefined ? [] : [`<TR><TD COLSPAN="3" ALIGN="LEFT" BGCOLOR="#f4f4f4"><I>${htmlText(lane)}</I></TD></TR>`]).concat(
        group.map(bars),
      ),
    )
    const header = `<TR><TD COLSPAN="3" ALIGN="LEFT"><B>${htmlText(this.title)}</B>  (${htmlText(ms(this.span))})</TD></TR>`
    const table = `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">${header}${rows.join('')}</TABLE>`
    const dot = `digraph timeline {\n  node [shape=plain fontname="Helvetica" fontsize=11]\n  timeline [label=<${table}>]\n}\n`
    return new PlotImpl([{ path: '', title: this.title, kind: 'workflow', parent: undefined, dot, engine: 'dot', nodes: [] }])
  }
}
