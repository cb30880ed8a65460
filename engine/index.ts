// Flowmark's engine: the public face of the dataflow dispatcher (re-exports only).
export { START, SINK, END, SELF, PLOT, NONE, EMPTY, WRAPPED_MODEL, idText, isNodeId, isSpecialNodeId } from './constants.ts'
export type { NodeId, SpecialNodeId, None, Empty } from './constants.ts'
export { Inf, inf, compareDistance } from './distance.ts'
export type { Distance } from './distance.ts'
export { FlowmarkError, ModelError, DispatcherError, DispatcherAbort, NodeError, formatPath } from './errors.ts'
export type { FailureKind, NodePath } from './errors.ts'
export { Dispatcher, functionName } from './dispatcher.ts'
export type { DispatchOptions, Inputs } from './dispatcher.ts'
export type {
  AbortSignalLike, AddDataOptions, AddDispatcherOptions, AddFuncOptions, AddFunctionOptions, AnyFunction, DataFunction, DataNode,
  DefaultValue, DispatcherOptions, Estimations, Filter, FunctionNode, IdMapping, InputDomain, ModelEdge, ModelNode,
  NodeCommon, NodeKind, RaisesPolicy, Stopper, SubDispatcherDomain, SubDispatcherNode, WeightMap,
} from './model.ts'
export { Solution } from './solution.ts'
export type { PipeStep } from './solution.ts'
export { Workflow } from './workflow.ts'
export type { WorkflowEdge, WorkflowNode } from './workflow.ts'
export type { SubDspFromWorkflowOptions } from './sub-models.ts'
export { legend, plotFromJSON, inspectValue, PlotError, PlotOptionError, NODE_STYLES, LAYOUT_ENGINES, PLOT_OPTION_NAMES } from './plot/index.ts'
export type { DotAttributes, LayoutEngine, LegendOptions, NodeStyleContext, PlotOptions, RowOptions, StyleKey, InspectLimits } from './plot/index.ts'
export type { Plot, PlotJSON, PlotNode, PlotPage } from './plot/types.ts'
export * from './compose/index.ts'
