// Reads ephemeral's job maps (a datasource, tasks, workflow edges) as Flowmark models; fan-out runs on MapDispatch.
//
// In ephemeral every task takes one dictionary and returns a dictionary or a list of dictionaries; a list fans out:
// each child task runs once per item. Here each task's data node holds the list of its results (one per branch), a
// function task maps its task function over its parent's list with `MapDispatch` and flattens what comes back, and
// an output task gathers its parents' lists. A task's code is `method` exported by the module of its `namespace`:
// a factory called with `init_args` that returns the task function (ephemeral's closures).
import { Dispatcher } from '../dispatcher.ts'
import { MapDispatch } from '../compose/map-dispatch.ts'
import type { AnyFunction } from '../model.ts'
import { importRef, RefError, type Importer } from '../ref.ts'
import type { JsonText } from './json-text.ts'
import { ModelValidationError, placeProblems, type RawProblem } from './validate.ts'

/** Options of `fromEphemeral`. */
export interface EphemeralOptions {
  /** URL of the job file: namespaces' modules are resolved against it. */
  baseUrl?: string | URL
  /** File name for messages. */
  file?: string
  /** The parsed text of the job (for line:column in messages). */
  text?: JsonText
  /** Namespace → module specifier (default: `./<namespace>.ts` beside the job file). */
  namespaces?: Readonly<Record<string, string>>
  /** Imports the task modules (default: dynamic `import()`). */
  importer?: Importer
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Whether a parsed JSON value looks like an ephemeral job map rather than a Flowmark model. */
export function isEphemeralJob(value: unknown): boolean {
  return isObj(value) && !('flowmark' in value) && Array.isArray(value.tasks) && 'workflow' in value
}

interface Task {
  readonly name: string
  readonly type: 'input' | 'function' | 'output'
  readonly at: string
  readonly raw: Obj
  readonly parents: string[]
}

/** Collects the problems of a job map; `fail` throws them all at once. */
interface Problems {
  readonly add: (pointer: string, message: string, key?: boolean) => void
  readonly any: () => boolean
  readonly fail: () => never
}

function problems(options: EphemeralOptions): Problems {
  const raw: RawProblem[] = []
  return {
    add: (pointer, message, key = false) => {
      raw.push(key ? { pointer, message, key } : { pointer, message })
    },
    any: () => raw.length > 0,
    fail: () => {
      throw new ModelValidationError(placeProblems(raw, options.text, options.file), 'ephemeral job')
    },
  }
}

/**
 * Turns an ephemeral job map into a Dispatcher. The map is checked first — one input task and a `direct`
 * datasource, unique task names, known task types, workflow edges between known tasks, no cycle, one parent per
 * function task, `consumes` matching the parent's `produces`, and every task's method imported from its namespace —
 * and every problem is reported at once (`ModelValidationError`, with line:column when `text` is given). The
 * input task's data node starts with `[datasource.content]`; dispatch it and read the output tasks' lists.
 */
export async function fromEphemeral(map: unknown, options: EphemeralOptions = {}): Promise<Dispatcher> {
  const p = problems(options)
  if (!isObj(map)) {
    p.add('', 'an ephemeral job map is an object with "datasource", "tasks" and "workflow"')
    return p.fail()
  }
  if ('name' in map && typeof map.name !== 'string') p.add('/name', '"name" must be a string')
  const content = readDatasource(map, p.add)
  const tasks = readTasks(map, p.add)
  readWorkflow(map, tasks, p.add)
  if (p.any()) p.fail()
  const factories = await importFactories(tasks, options, p.add)
  if (p.any()) p.fail()
  const dsp = new Dispatcher({ name: typeof map.name === 'string' ? map.name : 'ephemeral job' })
  const input = [...tasks.values()].find((t) => t.type === 'input')!
  dsp.addData({ id: input.name, defaultValue: [content], description: 'the datasource content (a list of one dictionary)' })
  for (const t of tasks.values()) {
    if (t.type === 'function') addFunctionTask(dsp, t, factories.get(t.name)!, options)
    else if (t.type === 'output') {
      dsp.addFunction({
        id: `collect ${t.name}`,
        fn: (...lists: unknown[][]) => lists.flat(),
        inputs: t.parents,
        outputs: [t.name],
        description: `gathers ${t.parents.map((p) => `"${p}"`).join(', ')}`,
      })
    }
  }
  return dsp
}

/** The datasource: a `direct` one, whose `content` (an object) is the input; returns that content. */
function readDatasource(map: Obj, add: Problems['add']): unknown {
  const ds = map.datasource
  if (!isObj(ds)) {
    add('datasource' in map ? '/datasource' : '', 'missing "datasource": {"source": "direct", "content": {…}}')
    return undefined
  }
  if (ds.source !== 'direct')
    add('/datasource/source', `only "direct" datasources can be read here (their "content" is the input), not ${JSON.stringify(ds.source)}`)
  if (!isObj(ds.content)) add('/datasource/content', 'the "content" of a direct datasource is the input dictionary (an object)')
  return ds.content
}

/** The tasks by name: each named once, of a known type, a function task with its method and namespace; one input task. */
function readTasks(map: Obj, add: Problems['add']): Map<string, Task> {
  const tasks = new Map<string, Task>()
  if (!Array.isArray(map.tasks)) {
    add('/tasks', '"tasks" must be an array of tasks')
    return tasks
  }
  map.tasks.forEach((t, i) => {
    const at = `/tasks/${i}`
    if (!isObj(t)) return add(at, 'a task is an object with "name" and "type"')
    if (typeof t.name !== 'string' || t.name === '')
      return add(typeof t.name === 'string' ? `${at}/name` : at, 'a task needs a "name" (a non-empty string)')
    if (tasks.has(t.name)) return add(`${at}/name`, `duplicate task name "${t.name}" (first at ${tasks.get(t.name)!.at}/name)`)
    if (t.type !== 'input' && t.type !== 'function' && t.type !== 'output')
      return add(`${at}/type`, `task "${t.name}": "type" is "input", "function" or "output", not ${JSON.stringify(t.type)}`)
    if (t.type === 'function') {
      for (const k of ['method', 'namespace'])
        if (typeof t[k] !== 'string' || t[k] === '') add(k in t ? `${at}/${k}` : at, `function task "${t.name}" needs "${k}" (a string)`)
      if ('init_args' in t && !isObj(t.init_args)) add(`${at}/init_args`, `"init_args" of task "${t.name}" must be an object`)
    }
    tasks.set(t.name, { name: t.name, type: t.type, at, raw: t, parents: [] })
  })
  const inputs = [...tasks.values()].filter((t) => t.type === 'input')
  if (inputs.length !== 1)
    add(
      '/tasks',
      `a job has exactly one input task, this one has ${inputs.length}${inputs.length > 0 ? ` (${inputs.map((t) => `"${t.name}"`).join(', ')})` : ''}`,
    )
  return tasks
}

/** The workflow edges, each recorded as its child's parent: between known tasks, one parent a function task, no cycle. */
function readWorkflow(map: Obj, tasks: ReadonlyMap<string, Task>, add: Problems['add']): void {
  if (!Array.isArray(map.workflow)) {
    add('workflow' in map ? '/workflow' : '', '"workflow" must be an array of [from, to] task-name pairs')
    return
  }
  map.workflow.forEach((e, i) => readEdge(e, `/workflow/${i}`, tasks, add))
  for (const t of tasks.values()) {
    if (t.type !== 'input' && t.parents.length === 0) add(`${t.at}/name`, `task "${t.name}" is not connected: no workflow edge leads to it`)
  }
  // Cycles: walk from the input.
  const state = new Map<string, number>()
  const children = (n: string) => [...tasks.values()].filter((t) => t.parents.includes(n)).map((t) => t.name)
  const visit = (n: string, trail: string[]): void => {
    if (state.get(n) === 2) return
    if (state.get(n) === 1) {
      add('/workflow', `the workflow has a cycle: ${[...trail.slice(trail.indexOf(n)), n].join(' → ')}`)
      return
    }
    state.set(n, 1)
    for (const c of children(n)) visit(c, [...trail, n])
    state.set(n, 2)
  }
  for (const t of tasks.values()) visit(t.name, [])
}

/** One workflow edge `[from, to]`: records `from` as a parent of `to` when the edge is allowed. */
function readEdge(e: unknown, at: string, tasks: ReadonlyMap<string, Task>, add: Problems['add']): void {
  if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string')
    return add(at, 'a workflow edge is a pair of task names ["from", "to"]')
  const [from, to] = e as [string, string]
  const a = tasks.get(from)
  const b = tasks.get(to)
  if (a === undefined) add(`${at}/0`, `no task named "${from}"`)
  if (b === undefined) add(`${at}/1`, `no task named "${to}"`)
  if (a === undefined || b === undefined) return
  if (a.type === 'output') return add(`${at}/0`, `output task "${from}" cannot feed another task`)
  if (b.type === 'input') return add(`${at}/1`, `input task "${to}" cannot have a parent`)
  if (b.type === 'function' && b.parents.length > 0)
    return add(`${at}/1`, `function task "${to}" already takes its input from "${b.parents[0]}"; an ephemeral task takes one dictionary`)
  const produces = a.raw.produces
  const consumes = b.raw.consumes
  if (typeof produces === 'string' && typeof consumes === 'string' && produces !== consumes) {
    add(at, `task "${from}" produces "${produces}" but task "${to}" consumes "${consumes}"`)
  }
  b.parents.push(from)
}

/** Imports every function task's factory (`namespace`'s module, export `method`), collecting every failure. */
async function importFactories(
  tasks: ReadonlyMap<string, Task>,
  options: EphemeralOptions,
  add: Problems['add'],
): Promise<Map<string, AnyFunction>> {
  const factories = new Map<string, AnyFunction>()
  await Promise.all(
    [...tasks.values()]
      .filter((t) => t.type === 'function')
      .map(async (t) => {
        const ns = t.raw.namespace as string
        const module = options.namespaces?.[ns] ?? `./${ns}.ts`
        const o: { baseUrl?: string | URL; nodeId: string; importer?: Importer } = { nodeId: t.name }
        if (options.baseUrl !== undefined) o.baseUrl = options.baseUrl
        if (options.importer !== undefined) o.importer = options.importer
        try {
          factories.set(t.name, await importRef(`${module}#${t.raw.method as string}`, o))
        } catch (e) {
          if (!(e instanceof RefError)) throw e
          add(`${t.at}/method`, `task "${t.name}": ${e.message}`)
        }
      }),
  )
  return factories
}

/** A function task: its factory's task function mapped over its parent's list (MapDispatch), the results flattened. */
function addFunctionTask(dsp: Dispatcher, t: Task, factory: AnyFunction, options: EphemeralOptions): void {
  const task = factory(isObj(t.raw.init_args) ? t.raw.init_args : {})
  if (typeof task !== 'function') {
    const message = `task "${t.name}": ${t.raw.method as string}(init_args) returned ${typeof task}, not the task function`
    throw new ModelValidationError(placeProblems([{ pointer: `${t.at}/method`, message }], options.text, options.file), 'ephemeral job')
  }
  const one = new Dispatcher({ name: t.name })
  one.addFunction({ id: t.raw.method as string, fn: task as AnyFunction, inputs: ['data'], outputs: ['result'] })
  const each = MapDispatch(one, { id: t.name })
  dsp.addFunction({
    id: `run ${t.name}`,
    // (A one-item list goes to the per-item function directly: MapDispatch fails on lists of one item today.)
    fn: (batch: readonly unknown[]) =>
      (batch.length === 1 ? [each.fn({ data: batch[0] })] : each(batch.map((data) => ({ data })))).flatMap((sol) => {
        const s = sol as Dispatcher['solution'] & object
        const err = s.errors.values().next()
        // The task's own error, as it threw it (the NodeError wrapping it otherwise).
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        if (!err.done) throw err.value.cause ?? err.value
        const r = s.get('result')
        return Array.isArray(r) ? (r as unknown[]) : [r]
      }),
    inputs: [t.parents[0]!],
    outputs: [t.name],
    description: `${t.raw.namespace as string}.${t.raw.method as string} on each branch (fans out when it returns a list)`,
  })
}
