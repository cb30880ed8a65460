// Type-level description of typed models: the data ids of a Dispatcher<T> and the types of their values.
import type { Empty, NodeId, None, SpecialNodeId } from '../constants.ts'
import type { Distance } from '../distance.ts'
import type { AddDataOptions, AddFunctionOptions } from '../model.ts'
import type { Solution } from '../solution.ts'

/**
 * `true` when `T` does not describe the data nodes: `any` (the default type parameter of `Dispatcher`, so
 * `new Dispatcher()` accepts every id and every function, as before typed models existed) or a shape with a string
 * index signature. `false` for a declared shape such as `{ a: number; b: string }`.
 */
export type IsUntyped<T> = 0 extends 1 & T ? true : string extends keyof T ? true : false

/** The data ids of a model: the declared keys or a special token (START, SINK, …); any `NodeId` when untyped. */
export type DataId<T> = IsUntyped<T> extends true ? NodeId : (keyof T & string) | SpecialNodeId

/** The value type of data node `K` of shape `T` (`unknown` for special tokens and undeclared ids). */
export type ValueOf<T, K> = K extends keyof T ? T[K] : unknown

/** The argument types of a function reading inputs `I` (a tuple of ids) of shape `T`. */
export type ArgsOf<T, I extends readonly unknown[]> = { -readonly [P in keyof I]: ValueOf<T, I[P]> }

/**
 * What a function computing outputs `O` may return: the value of the single output (or `NONE` to leave it unset),
 * or, for several outputs, one value per output (a tuple, or any iterable of their values; write `[x, NONE] as const`
 * when one of them is `NONE`, so that TypeScript keeps the tuple). Functions writing to a special token (SINK) may
 * return anything.
 */
export type ResultOf<T, O extends readonly unknown[]> = number extends O['length']
  ? unknown
  : O extends readonly []
    ? unknown
    : O extends readonly [infer X]
      ? X extends keyof T
        ? T[X] | None
        : unknown
      : { readonly [P in keyof O]: ValueOf<T, O[P]> | None } | Iterable<ValueOf<T, O[number]> | None>

/**
 * Options of `Dispatcher.addFunction` for a typed model: `inputs` and `outputs` must be declared data ids, and `fn`
 * must take the input values in order and return the output value(s). For an untyped model: `AddFunctionOptions`.
 */
export type TypedFunctionOptions<T, I extends readonly unknown[], O extends readonly unknown[]> =
  IsUntyped<T> extends true
    ? AddFunctionOptions
    : Omit<AddFunctionOptions, 'inputs' | 'outputs' | 'fn'> & {
        /** Input data ids, in argument order. */
        inputs?: I
        /** Output data ids. */
        outputs?: O
        /** The function: one argument per input, in order, returning the output value(s). */
        fn?: (...args: ArgsOf<T, I>) => ResultOf<T, O>
      }

/** Options of `Dispatcher.addData` for a typed model: a declared id and a default of its type. */
export type TypedDataOptions<T, K> =
  IsUntyped<T> extends true
    ? AddDataOptions
    : Omit<AddDataOptions, 'id' | 'defaultValue'> & {
        /** A declared data id (or a special token). */
        id?: K
        /** Default value, of the type declared for the node (`EMPTY` removes it). */
        defaultValue?: ValueOf<T, K> | Empty
      }

/** Inputs of a dispatch of a typed model: some of the declared data ids, with values of their types (or a Map). */
export type TypedInputs<T> =
  IsUntyped<T> extends true
    ? Readonly<Record<string, unknown>> | ReadonlyMap<NodeId, unknown>
    : { readonly [K in keyof T]?: T[K] } | ReadonlyMap<NodeId, unknown>

/** Initial distances by data id, for a typed model. */
export type TypedDistances<T> =
  IsUntyped<T> extends true
    ? Readonly<Record<string, Distance>> | ReadonlyMap<NodeId, Distance>
    : { readonly [K in keyof T]?: Distance } | ReadonlyMap<NodeId, Distance>

/**
 * The solution of a model: for a typed model it is `Solution<T>` (`sol.get('c')` is `T['c'] | undefined`); for an
 * untyped one it is exactly `Solution`.
 */
export type SolutionOf<T> = IsUntyped<T> extends true ? Solution : T extends object ? Solution<T> : Solution

/** `Solution<T>`: the solution with typed reads (kept as a name for code written before `Solution` was generic). */
export type TypedSolution<T extends object> = Solution<T>
