// `flowmark/helpers`: schedula's small functions for gluing nodes together (dicts, selectors, sums, bypasses; re-exports only).
export {
  addArgs, areInNestedDicts, bypass, combineDicts, combineDictsWith, combineNestedDicts, combineNestedDictsWith, deepCopy, getNestedDicts, kkDict,
  mapDict, mapDictWith, mapList, mapListWith, parentArgument, parentFunc, partial, replicateValue, selector,
  stackNestedKeys, summation,
} from './compose/helpers.ts'
export type {
  Bypassed, CombineOptions, Dict, DictKey, Ignored, KeyMapItem, KeyOf, MapOptions, Merged, NestedCombineOptions, Selected, SelectorOptions,
  SelectorOutput, UnionToIntersection, ValueAt,
} from './compose/helpers.ts'
