/**
 * An index of URI patterns under the three match policies (exact, prefix, wildcard), shared by
 * the dealer (one best match per call), the broker (every match per publication) and the
 * authorizer (one best permission per action).
 *
 * Precedence, as the pattern-based registration section requires:
 * 1. an exact pattern equal to the URI;
 * 2. the longest matching prefix. The spec contradicts itself on what a prefix is: its prose
 *    and examples match by string (`com.myapp.myobject1` matches `com.myapp.myobject1-x`),
 *    its precedence example by whole components (`a1.b2.c3` does not match `a1.b2.c33.d4`).
 *    `prefixBoundary` picks: 'string' (default, as Crossbar) or 'component' (a prefix not
 *    ending in `.` must end where a component of the URI ends);
 * 3. the wildcard pattern whose literal runs, compared run by run from the left, are longest
 *    (`a1.b2.c33..e5` beats `a1.b2..d4.e5`; on an equal first run the second decides).
 *
 * Exact lookup is one Map get. Prefixes are kept in a Map per pattern plus the set of distinct
 * prefix lengths, so a lookup costs one Map get per distinct length, not per character.
 * Wildcards live in a component trie per component count; a depth-first walk that tries the
 * literal child before the wildcard child meets the patterns in precedence order, so the first
 * complete match is the best one.
 */
import { createError } from '../errors.js';
import { RouterErrorCode } from './error-codes.js';
import { ErrorUri, MatchPolicy, isValidUri, type UriMatch, type UriRule } from '../wamp/uris.js';

export { MatchPolicy, type UriMatch } from '../wamp/uris.js';

/** The matcher's error codes (part of the router's table). */
export const UriMatcherErrorCode = {
  INVALID_PATTERN: RouterErrorCode.INVALID_PATTERN,
  UNKNOWN_MATCH_POLICY: RouterErrorCode.UNKNOWN_MATCH_POLICY,
} as const;

const POLICIES: ReadonlySet<string> = new Set(Object.values(MatchPolicy));

/** True when `value` names one of the spec's match policies. */
export function isMatchPolicy(value: unknown): value is UriMatch {
  return typeof value === 'string' && POLICIES.has(value);
}

/**
 * Throws unless `pattern` is a valid URI for `match` under `rule`: exact URIs have no empty
 * component, prefixes may end in `.`, wildcards may have empty components anywhere. The error
 * carries `wamp.error.invalid_uri` (an unknown policy: `wamp.error.invalid_argument`), the
 * ERROR a router answers the REGISTER/SUBSCRIBE with.
 */
export function checkPatternUri(pattern: unknown, match: unknown, rule: UriRule = 'loose'): asserts pattern is string {
  if (!isMatchPolicy(match)) {
    throw createError(UriMatcherErrorCode.UNKNOWN_MATCH_POLICY,
      `match policy must be one of exact, prefix, wildcard, got ${JSON.stringify(match)}`, { wampUri: ErrorUri.INVALID_ARGUMENT });
  }
  if (!isValidUri(pattern, rule, match)) {
    throw createError(UriMatcherErrorCode.INVALID_PATTERN,
      `${JSON.stringify(pattern)} is not a valid ${rule} URI for match policy '${match}'`, { wampUri: ErrorUri.INVALID_URI });
  }
}

/** How a prefix pattern must line up with the URI it matches (see the module comment). */
export type PrefixBoundary = 'string' | 'component';

/** True when a prefix of length `length` of `uri` ends on a component boundary. */
function onBoundary(uri: string, length: number): boolean {
  return length === 0 || length === uri.length || uri.charCodeAt(length) === DOT || uri.charCodeAt(length - 1) === DOT;
}
const DOT = 0x2e;

/** True when `uri` (a concrete URI) is matched by `pattern` under `match`. */
export function matchesPattern(uri: string, pattern: string, match: UriMatch, prefixBoundary: PrefixBoundary = 'string'): boolean {
  if (match === MatchPolicy.EXACT) return uri === pattern;
  if (match === MatchPolicy.PREFIX) return uri.startsWith(pattern) && (prefixBoundary === 'string' || onBoundary(uri, pattern.length));
  const want = pattern.split('.');
  const have = uri.split('.');
  if (want.length !== have.length) return false;
  return want.every((part, i) => part === '' || part === have[i]);
}

/**
 * Orders two wildcard patterns by the spec's tie-break: negative when `a` takes precedence.
 * Both are assumed to match the same URI (so they have the same number of components).
 */
export function compareWildcardPrecedence(a: string, b: string): number {
  const runsA = literalRuns(a);
  const runsB = literalRuns(b);
  const n = Math.min(runsA.length, runsB.length);
  for (let i = 0; i < n; i++) {
    const d = runsB[i]! - runsA[i]!;
    if (d !== 0) return d;
  }
  return runsA.length - runsB.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Lengths (in components) of the literal runs before each wildcard and after the last. */
function literalRuns(pattern: string): number[] {
  const runs: number[] = [];
  let run = 0;
  for (const part of pattern.split('.')) {
    if (part === '') {
      runs.push(run);
      run = 0;
    } else {
      run++;
    }
  }
  runs.push(run);
  return runs;
}

/** One pattern in the index and what it stands for. */
export interface UriIndexEntry<T> {
  readonly pattern: string;
  readonly match: UriMatch;
  readonly value: T;
}

export interface UriIndexOptions {
  /** URI rule patterns are checked against. Default 'loose'. */
  readonly rule?: UriRule;
  /**
   * Accept the empty prefix, which matches every URI (an authorization table's catch-all).
   * Off for registrations and subscriptions, where the spec gives an empty URI no meaning.
   */
  readonly allowCatchAll?: boolean;
  /** 'string' (default): `com.a` matches `com.ab`; 'component': it matches `com.a.b` only. */
  readonly prefixBoundary?: PrefixBoundary;
}

interface WildcardNode<T> {
  readonly children: Map<string, WildcardNode<T>>;
  wild: WildcardNode<T> | null;
  entry: UriIndexEntry<T> | null;
}

function node<T>(): WildcardNode<T> {
  return { children: new Map(), wild: null, entry: null };
}

export class UriIndex<T> {
  readonly #rule: UriRule;
  readonly #allowCatchAll: boolean;
  readonly #componentPrefix: boolean;
  readonly #exact = new Map<string, UriIndexEntry<T>>();
  readonly #prefix = new Map<string, UriIndexEntry<T>>();
  /** Distinct prefix lengths (with how many prefixes have each), longest first when sorted. */
  readonly #prefixLengths = new Map<number, number>();
  #sortedLengths: number[] = [];
  /** Wildcard tries keyed by component count: a pattern only ever matches URIs of its own length. */
  readonly #wildcard = new Map<number, WildcardNode<T>>();
  #wildcardCount = 0;

  constructor(options: UriIndexOptions = {}) {
    this.#rule = options.rule ?? 'loose';
    this.#allowCatchAll = options.allowCatchAll ?? false;
    const boundary = options.prefixBoundary ?? 'string';
    if (boundary !== 'string' && boundary !== 'component') {
      throw createError(UriMatcherErrorCode.INVALID_PATTERN, `prefixBoundary must be 'string' or 'component', got ${JSON.stringify(boundary)}`);
    }
    this.#componentPrefix = boundary === 'component';
  }

  get size(): number {
    return this.#exact.size + this.#prefix.size + this.#wildcardCount;
  }

  /** Adds or replaces the entry for (pattern, match); throws on an invalid pattern (see checkPatternUri). */
  set(pattern: string, match: UriMatch, value: T): void {
    if (!(this.#allowCatchAll && match === MatchPolicy.PREFIX && pattern === '')) checkPatternUri(pattern, match, this.#rule);
    const entry: UriIndexEntry<T> = { pattern, match, value };
    if (match === MatchPolicy.EXACT) {
      this.#exact.set(pattern, entry);
    } else if (match === MatchPolicy.PREFIX) {
      if (!this.#prefix.has(pattern)) this.#countLength(pattern.length, 1);
      this.#prefix.set(pattern, entry);
    } else {
      const parts = pattern.split('.');
      let at = this.#wildcard.get(parts.length);
      if (at === undefined) this.#wildcard.set(parts.length, (at = node()));
      for (const part of parts) {
        if (part === '') at = at.wild ??= node();
        else {
          let next = at.children.get(part);
          if (next === undefined) at.children.set(part, (next = node()));
          at = next;
        }
      }
      if (at.entry === null) this.#wildcardCount++;
      at.entry = entry;
    }
  }

  /** The entry registered for exactly this (pattern, match), if any (the meta API's `lookup`). */
  get(pattern: string, match: UriMatch): T | undefined {
    if (match === MatchPolicy.EXACT) return this.#exact.get(pattern)?.value;
    if (match === MatchPolicy.PREFIX) return this.#prefix.get(pattern)?.value;
    return this.#wildcardPath(pattern)?.at(-1)?.entry?.value;
  }

  delete(pattern: string, match: UriMatch): boolean {
    if (match === MatchPolicy.EXACT) return this.#exact.delete(pattern);
    if (match === MatchPolicy.PREFIX) {
      if (!this.#prefix.delete(pattern)) return false;
      this.#countLength(pattern.length, -1);
      return true;
    }
    const path = this.#wildcardPath(pattern);
    const leaf = path?.at(-1);
    if (path === undefined || leaf === undefined || leaf.entry === null) return false;
    leaf.entry = null;
    this.#wildcardCount--;
    this.#prune(pattern, path);
    return true;
  }

  /** The one entry a call to `uri` is routed to: exact, else longest prefix, else best wildcard. */
  best(uri: string): UriIndexEntry<T> | undefined {
    const exact = this.#exact.get(uri);
    if (exact !== undefined) return exact;
    for (const length of this.#sortedLengths) {
      const hit = this.#prefixAt(uri, length);
      if (hit !== undefined) return hit;
    }
    if (this.#wildcardCount === 0) return undefined;
    const parts = uri.split('.');
    const root = this.#wildcard.get(parts.length);
    if (root === undefined) return undefined;
    const found: Array<UriIndexEntry<T>> = [];
    walk(root, parts, 0, found, 1);
    return found[0];
  }

  /** Every entry matching `uri`, in precedence order (what a publication is delivered to). */
  matches(uri: string): Array<UriIndexEntry<T>> {
    const found: Array<UriIndexEntry<T>> = [];
    const exact = this.#exact.get(uri);
    if (exact !== undefined) found.push(exact);
    for (const length of this.#sortedLengths) {
      const hit = this.#prefixAt(uri, length);
      if (hit !== undefined) found.push(hit);
    }
    if (this.#wildcardCount > 0) {
      const parts = uri.split('.');
      const root = this.#wildcard.get(parts.length);
      if (root !== undefined) walk(root, parts, 0, found, Infinity);
    }
    return found;
  }

  /** Entries of one policy (or all), in insertion order per policy. */
  *entries(match?: UriMatch): IterableIterator<UriIndexEntry<T>> {
    if (match === undefined || match === MatchPolicy.EXACT) yield* this.#exact.values();
    if (match === undefined || match === MatchPolicy.PREFIX) yield* this.#prefix.values();
    if (match === undefined || match === MatchPolicy.WILDCARD) {
      for (const root of this.#wildcard.values()) yield* collect(root);
    }
  }

  /** The prefix entry equal to the first `length` characters of `uri`, if it may match there. */
  #prefixAt(uri: string, length: number): UriIndexEntry<T> | undefined {
    if (length > uri.length) return undefined;
    if (this.#componentPrefix && !onBoundary(uri, length)) return undefined;
    return this.#prefix.get(length === uri.length ? uri : uri.slice(0, length));
  }

  #countLength(length: number, delta: 1 | -1): void {
    const count = (this.#prefixLengths.get(length) ?? 0) + delta;
    if (count > 0) {
      if (!this.#prefixLengths.has(length)) {
        this.#prefixLengths.set(length, count);
        this.#sortedLengths = [...this.#prefixLengths.keys()].sort((a, b) => b - a);
      } else this.#prefixLengths.set(length, count);
    } else {
      this.#prefixLengths.delete(length);
      this.#sortedLengths = [...this.#prefixLengths.keys()].sort((a, b) => b - a);
    }
  }

  /** The trie nodes along `pattern`, root first; undefined when the pattern is not in the trie. */
  #wildcardPath(pattern: string): Array<WildcardNode<T>> | undefined {
    const parts = pattern.split('.');
    let at = this.#wildcard.get(parts.length);
    if (at === undefined) return undefined;
    const path = [at];
    for (const part of parts) {
      const next: WildcardNode<T> | null | undefined = part === '' ? at.wild : at.children.get(part);
      if (next === null || next === undefined) return undefined;
      path.push((at = next));
    }
    return path;
  }

  /** Removes trie nodes left without entries or children, leaf upwards. */
  #prune(pattern: string, path: Array<WildcardNode<T>>): void {
    const parts = pattern.split('.');
    for (let i = parts.length; i >= 1; i--) {
      const child = path[i]!;
      if (child.entry !== null || child.children.size > 0 || child.wild !== null) return;
      const parent = path[i - 1]!;
      const part = parts[i - 1]!;
      if (part === '') parent.wild = null;
      else parent.children.delete(part);
    }
    const root = path[0]!;
    if (root.children.size === 0 && root.wild === null) this.#wildcard.delete(parts.length);
  }
}

/** Depth-first, literal child before wildcard child: finds matches in precedence order. */
function walk<T>(at: WildcardNode<T>, parts: readonly string[], depth: number, found: Array<UriIndexEntry<T>>, limit: number): void {
  if (depth === parts.length) {
    if (at.entry !== null) found.push(at.entry);
    return;
  }
  const literal = at.children.get(parts[depth]!);
  if (literal !== undefined) {
    walk(literal, parts, depth + 1, found, limit);
    if (found.length >= limit) return;
  }
  if (at.wild !== null) walk(at.wild, parts, depth + 1, found, limit);
}

function* collect<T>(at: WildcardNode<T>): IterableIterator<UriIndexEntry<T>> {
  if (at.entry !== null) yield at.entry;
  for (const child of at.children.values()) yield* collect(child);
  if (at.wild !== null) yield* collect(at.wild);
}
