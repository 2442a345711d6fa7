/**
 * Helper types for wampgen schemas (`import type { … } from 'wampkit/codegen/schema'`).
 *
 * They exist only for the type checker and the editor: wampgen recognises them by name and
 * maps them onto the WAMP wire (docs/schema.md). Nothing here has a runtime value.
 */

declare const marker: unique symbol;

/**
 * A progressive procedure: the callee sends any number of progressive results of type `P`
 * (each as one positional argument), then the final result `R`.
 */
export type Progress<P, R = void> = { readonly [marker]: 'progress'; readonly progress: P; readonly result: R };

/**
 * Keyword arguments. As the last parameter of a procedure or topic member, `T` (an object type)
 * travels in WAMP `kwargs` instead of `args`; as a return type, the result travels in `kwargs`.
 */
export type Kwargs<T extends object> = T & { readonly [marker]?: 'kwargs' };

/** Several positional results: `Results<[number, string]>` answers with `args = [n, s]`. */
export type Results<T extends readonly unknown[]> = { readonly [marker]: 'results'; readonly results: T };
