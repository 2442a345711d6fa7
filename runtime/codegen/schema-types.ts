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

/*
 * Refinements of number, bigint and string. To the type checker (and in the generated code)
 * each is its plain base type; wampgen reads the name and validates the refinement on the wire.
 */

/** An integer (a safe integer: |n| <= 2^53 - 1). Validated with `z.int()`. */
export type Int = number;
/** A signed 64-bit integer, as bigint. Needs a binary serializer (msgpack, cbor), like bigint. */
export type Int64 = bigint;
/** An RFC 3339 date-time string with an offset (`2025-01-31T12:00:00Z`, `…+01:00`). */
export type DateTime = string;
/** An RFC 3339 full-date string (`2025-01-31`). */
export type IsoDate = string;
/** A UUID string (RFC 9562). */
export type Uuid = string;
/** An email address. */
export type Email = string;
/** An absolute URI (`https://example.com/x`, `urn:…`). */
export type Uri = string;
