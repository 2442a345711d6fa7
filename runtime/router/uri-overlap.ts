/**
 * Set relations between URI patterns (exact, prefix, wildcard), which the authorizer needs to
 * decide a pattern subscription or registration once for every URI it can match: does a
 * permission's pattern meet the subscription's pattern (`patternsOverlap`), does it contain it
 * (`patternCovers`), and which of two permissions wins where both match (`takesPrecedence`).
 *
 * A pattern stands for the concrete URIs it matches: components are non-empty; a prefix matches
 * by string (the authorizer's and the broker's reading; a component-boundary prefix, as the
 * dealer uses, matches a subset of these, so answers stay safe for it); a wildcard matches
 * URIs with as many components, an empty component matching any one. Where a pattern is odd
 * (a prefix with an empty component inside), `patternsOverlap` answers true and
 * `patternCovers` false: the caller then checks each URI instead of trusting the pattern.
 */
import { MatchPolicy, compareWildcardPrecedence, matchesPattern, type UriMatch } from './uri-matcher.js';

/** Some concrete URI is matched by both patterns. */
export function patternsOverlap(a: string, am: UriMatch, b: string, bm: UriMatch): boolean {
  if (RANK[am] > RANK[bm]) return patternsOverlap(b, bm, a, am);
  if (am === MatchPolicy.EXACT) {
    if (bm === MatchPolicy.EXACT) return a === b;
    return matchesPattern(a, b, bm);
  }
  if (am === MatchPolicy.PREFIX) {
    if (bm === MatchPolicy.PREFIX) return a.startsWith(b) || b.startsWith(a);
    return prefixMeetsWildcard(a, b);
  }
  const pa = a.split('.');
  const pb = b.split('.');
  return pa.length === pb.length && pa.every((part, i) => part === '' || pb[i] === '' || part === pb[i]);
}

/** Every concrete URI `inner` matches is matched by `outer` (inner is a prefix or wildcard pattern). */
export function patternCovers(outer: string, om: UriMatch, inner: string, im: UriMatch): boolean {
  if (im === MatchPolicy.EXACT) return matchesPattern(inner, outer, om);
  if (om === MatchPolicy.EXACT) return false;
  if (om === MatchPolicy.PREFIX) {
    if (im === MatchPolicy.PREFIX) return inner.startsWith(outer);
    // Every URI of the wildcard starts with its literal lead (up to its first wildcard).
    return wildcardLead(inner).startsWith(outer);
  }
  // A wildcard matches one component count; a prefix pattern matches URIs of many.
  if (im === MatchPolicy.PREFIX) return false;
  const po = outer.split('.');
  const pi = inner.split('.');
  return po.length === pi.length && po.every((part, i) => part === '' || (pi[i] !== '' && part === pi[i]));
}

/**
 * Where both match a URI, `a` is the one chosen (exact, then longest prefix, then the wildcard
 * with the longest literal runs). Independent of the URI: both are known to match it.
 */
export function takesPrecedence(a: string, am: UriMatch, b: string, bm: UriMatch): boolean {
  if (am === MatchPolicy.EXACT) return bm !== MatchPolicy.EXACT;
  if (bm === MatchPolicy.EXACT) return false;
  if (am === MatchPolicy.PREFIX) return bm === MatchPolicy.WILDCARD || a.length > b.length;
  if (bm === MatchPolicy.PREFIX) return false;
  return compareWildcardPrecedence(a, b) < 0;
}

const RANK: Readonly<Record<UriMatch, number>> = { exact: 0, prefix: 1, wildcard: 2 };

/** `wildcard` up to and including the dot before its first empty component (all of it if none). */
function wildcardLead(wildcard: string): string {
  const parts = wildcard.split('.');
  const first = parts.indexOf('');
  if (first < 0) return wildcard;
  return first === 0 ? '' : `${parts.slice(0, first).join('.')}.`;
}

/** Some URI with the wildcard's component count, matching it, starts with `prefix`. */
function prefixMeetsWildcard(prefix: string, wildcard: string): boolean {
  const p = prefix.split('.');
  const w = wildcard.split('.');
  if (p.length > w.length) return false;
  const last = p.length - 1;
  for (let i = 0; i < last; i++) {
    if (p[i] === '') return true; // odd prefix: let the caller check URIs
    if (w[i] !== '' && w[i] !== p[i]) return false;
  }
  // The prefix's last piece starts component `last`, which the wildcard leaves open or spells out.
  return w[last] === '' || w[last]!.startsWith(p[last]!);
}
