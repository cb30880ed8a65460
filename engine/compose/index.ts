// Composing models: wrappers that turn a model into a function, and blueprints (the glue helpers are `flowmark/helpers`).
export { CallError, isModelWrapper } from './wrapper.ts'
export type { ModelWrapper, OutputType, WrapperKind } from './wrapper.ts'
export { SubDispatch, SubDispatchAsync, SubDispatchFunction, SubDispatchFunctionAsync } from './sub-dispatch.ts'
export type {
  AsyncSearchWrapperOptions,
  AsyncWrapperOptions,
  DefaultOutputType,
  PositionalArgs,
  SearchWrapperOptions,
  SubDispatchFn,
  SubDispatchFunctionFn,
  SubDispatchFunctionOptions,
  NamedFirst,
  SubDispatchOptions,
  Val,
  WrapperResult,
} from './sub-dispatch.ts'
export { DispatchPipe, DispatchPipeAsync, SubDispatchPipe, SubDispatchPipeAsync } from './pipe.ts'
export type { PipeFn, PipeOptions, PipeResult } from './pipe.ts'
export type { Break, Plan, StepInfo } from './plan.ts'
export type {
  ArgsOf,
  DataId,
  IsUntyped,
  ResultOf,
  SolutionOf,
  TypedDataOptions,
  TypedDistances,
  TypedFunctionOptions,
  TypedInputs,
  TypedSolution,
  ValueOf,
} from './types.ts'
export { Blueprint, deferred } from './blueprint.ts'
export type { BlueDispatcherOptions, BlueFunctionOptions, BlueprintStep, Deferred, MaybeDeferred } from './blueprint.ts'
export { MapDispatch, MapDispatchAsync, runModel, runModelWith } from './map-dispatch.ts'
export type { MapDispatchFn, MapDispatchOptions, RecursiveInputs } from './map-dispatch.ts'
