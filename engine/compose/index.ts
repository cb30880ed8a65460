// Composing models: wrappers that turn a model into a function, blueprints, and the helpers that glue nodes together.
export {
  addArgs, areInNestedDicts, bypass, combineDicts, combineDictsWith, combineNestedDicts, combineNestedDictsWith, deepCopy, getNestedDicts, kkDict,
  mapDict, mapDictWith, mapList, mapListWith, parentArgument, parentFunc, partial, replicateValue, selector,
  stackNestedKeys, summation,
} from './helpers.ts'
export type {
  Bypassed, CombineOptions, Dict, DictKey, Ignored, KeyMapItem, KeyOf, MapOptions, Merged, NestedCombineOptions, Selected, SelectorOptions,
  SelectorOutput, UnionToIntersection, ValueAt,
} from './helpers.ts'
export { CallError, isModelWrapper } from './wrapper.ts'
export type { ModelWrapper, OutputType, WrapperKind } from './wrapper.ts'
export { SubDispatch, SubDispatchFunction } from './sub-dispatch.ts'
export type {
  DefaultOutputType, PositionalArgs, SearchWrapperOptions, SubDispatchFn, SubDispatchFunctionFn, SubDispatchFunctionOptions,
  NamedFirst, SubDispatchOptions, Val, WrapperResult,
} from './sub-dispatch.ts'
export { DispatchPipe, SubDispatchPipe } from './pipe.ts'
export type { PipeFn, PipeOptions, PipeResult } from './pipe.ts'
export type { Break, Plan, StepInfo } from './plan.ts'
export type {
  ArgsOf, DataId, IsUntyped, ResultOf, SolutionOf, TypedDataOptions, TypedDistances, TypedFunctionOptions, TypedInputs,
  TypedSolution, ValueOf,
} from './types.ts'
export { Blueprint, deferred } from './blueprint.ts'
export type { BlueDispatcherOptions, BlueFunctionOptions, BlueprintStep, Deferred, MaybeDeferred, RegisterMemo } from './blueprint.ts'
export { MapDispatch, runModel, runModelWith } from './map-dispatch.ts'
export type { MapDispatchFn, MapDispatchOptions, RecursiveInputs } from './map-dispatch.ts'
