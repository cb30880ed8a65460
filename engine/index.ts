// Flowmark's engine: the public face of the dataflow dispatcher (re-exports only; helpers and plot utilities have subpaths).
export { START, SINK, END, SELF, PLOT, NONE, EMPTY, WRAPPED_MODEL, idText, isNodeId, isSpecialNodeId } from './constants.ts'
export type { NodeId, SpecialNodeId, None, Empty } from './constants.ts'
export { Inf, inf, compareDistance } from './distance.ts'
export type { Distance } from './distance.ts'
export { FlowmarkError, ModelError, DispatcherError, DispatcherAbort, NodeError, TimeoutError, formatPath, nameError } from './errors.ts'
export type { FailureKind, NodePath } from './errors.ts'
export { Dispatcher, functionName } from './dispatcher.ts'
export type { DispatchOptions, Inputs } from './dispatcher.ts'
export type { DispatchAsyncOptions } from './internal/async-options.ts'
export type { DispatchEvent } from './internal/async-driver.ts'
export type { DispatchRun } from './internal/event-stream.ts'
export type {
  AbortSignalLike,
  AddDataOptions,
  HostAbortSignal,
  AddDispatcherOptions,
  AddFuncOptions,
  AddFunctionOptions,
  AnyFunction,
  DataFunction,
  DataNode,
  DefaultValue,
  DispatcherOptions,
  Estimations,
  Executor,
  ExecutorCall,
  ExecutorNode,
  ExecutorReport,
  Filter,
  FunctionNode,
  GetNodeOptions,
  IdMapping,
  InputDomain,
  ModelEdge,
  ModelNode,
  NodeAttr,
  NodeCommon,
  NodeContext,
  NodeKind,
  RaisesPolicy,
  Stopper,
  SubDispatcherDomain,
  SubDispatcherNode,
  WeightMap,
} from './model.ts'
export { Solution } from './solution.ts'
export type { PipeStep } from './solution.ts'
export { Workflow } from './workflow.ts'
export type { WorkflowEdge, WorkflowNode } from './workflow.ts'
export type { SubDspFromWorkflowOptions } from './sub-models.ts'
export { PlotError, PlotOptionError } from './plot/options.ts'
export type { PlotOptions } from './plot/options.ts'
export type { Plot, PlotPage } from './plot/types.ts'
export type { Timeline, TimelineRow } from './plot/timeline.ts'
export * from './compose/index.ts'
