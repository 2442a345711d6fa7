/**
 * Locating and naming a value inside a message, for error messages. Only the failure path of
 * serialize() uses this: encoders do not track where they are, so the serializer searches the
 * message again for the value they refused (or for the first container past the depth limit).
 */
import { CborTag, MsgpackExtension } from './tagged-values.js';

/** One step into a container: a list index, a dict key, a Map entry's value, a Set item, a tag's content. */
export type PathSegment = number | string | { readonly mapKey: unknown } | { readonly setItem: number } | 'tag';

export type PathTarget = { readonly value: unknown } | { readonly depthOver: number };

/** Paths longer than this are shortened in messages (a too-deep value's path has maxDepth steps). */
const MAX_SHOWN_SEGMENTS = 12;
const SHOWN_HEAD = 8;
const SHOWN_TAIL = 2;
const MAX_SHOWN_DIGITS = 24;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Depth-first search for `target` (a value by SameValue, or the first container deeper than
 * `depthOver`); the root is level 1. Never descends more than `maxDepth + 1` levels, so cycles
 * and deep values end the search.
 */
export function findPath(root: unknown, target: PathTarget, maxDepth: number): PathSegment[] | undefined {
  const path: PathSegment[] = [];
  const limit = maxDepth + 1;
  const isTarget =
    'value' in target
      ? (v: unknown): boolean => Object.is(v, target.value)
      : (v: unknown, depth: number): boolean => depth > target.depthOver && isContainer(v);
  const visit = (v: unknown, depth: number): boolean => {
    if (isTarget(v, depth)) return true;
    if (depth >= limit || typeof v !== 'object' || v === null) return false;
    for (const [segment, child] of children(v)) {
      path.push(segment);
      if (visit(child, depth + 1)) return true;
      path.pop();
    }
    return false;
  };
  return visit(root, 1) ? path : undefined;
}

function isContainer(v: unknown): boolean {
  return Array.isArray(v) || v instanceof Map || v instanceof Set || v instanceof CborTag || isPlainObject(v);
}

function isPlainObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function* children(v: object): Iterable<[PathSegment, unknown]> {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield [i, v[i]];
  } else if (v instanceof Map) {
    for (const [key, value] of v) yield [{ mapKey: key }, value];
  } else if (v instanceof Set) {
    let i = 0;
    for (const item of v) yield [{ setItem: i++ }, item];
  } else if (v instanceof CborTag) {
    yield ['tag', v.value];
  } else if (!ArrayBuffer.isView(v) && !(v instanceof Date) && !(v instanceof MsgpackExtension)) {
    for (const key of Object.keys(v)) yield [key, (v as Record<string, unknown>)[key]];
  }
}

/** `message[4][0].tags`, shortened in the middle when long. */
export function formatPath(segments: readonly PathSegment[]): string {
  const shown =
    segments.length > MAX_SHOWN_SEGMENTS
      ? [...segments.slice(0, SHOWN_HEAD).map(formatSegment), `…(${segments.length - SHOWN_HEAD - SHOWN_TAIL} more)…`, ...segments.slice(-SHOWN_TAIL).map(formatSegment)]
      : segments.map(formatSegment);
  return `message${shown.join('')}`;
}

function formatSegment(s: PathSegment): string {
  if (typeof s === 'number') return `[${s}]`;
  if (typeof s === 'string') return s === 'tag' ? '.value' : IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  if ('mapKey' in s) return `.get(${describeKey(s.mapKey)})`;
  return `{Set item ${s.setItem}}`;
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key);
  if (typeof key === 'number' || typeof key === 'boolean' || key === null || key === undefined) return String(key);
  if (typeof key === 'bigint') return `${shortDigits(key)}n`;
  return describeValue(key);
}

function shortDigits(n: bigint): string {
  const digits = String(n);
  return digits.length > MAX_SHOWN_DIGITS ? `${digits.slice(0, MAX_SHOWN_DIGITS)}… (${digits.length} digits)` : digits;
}

/** A short name for a value in an error message: "a Set", "NaN", "the bigint 2^70 …". */
export function describeValue(v: unknown): string {
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint':
      return `the bigint ${shortDigits(v)}`;
    case 'string':
      return v.charCodeAt(0) === 0 ? 'a string starting with U+0000' : 'a string';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(v);
    default:
      break;
  }
  if (v === null) return 'null';
  if (v instanceof CborTag) return `a CborTag (tag ${String(v.tag)})`;
  if (v instanceof MsgpackExtension) return `a MsgpackExtension (type ${v.type})`;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'an invalid Date' : 'a Date';
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof name !== 'string' || name === '') return 'an object';
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}
