/**
 * Targets of generated methods: an exact URI, or a concrete URI that a pattern member (prefix
 * or wildcard registration/subscription) must cover, checked before anything is sent.
 */
import { createError } from '../errors.js';
import type { MatchPolicy } from '../wamp/types.js';
import { StubsErrorCode } from './version.js';

/** A URI, or a concrete URI that must match a pattern member's pattern (checked when used). */
export type Target = string | { readonly uri: string; readonly pattern: string; readonly match: MatchPolicy };

function matchesWildcard(uri: string, pattern: string): boolean {
  const parts = uri.split('.');
  const want = pattern.split('.');
  return parts.length === want.length && want.every((w, i) => (w === '' ? parts[i] !== '' : w === parts[i]));
}

/** Checks that a concrete URI is one a pattern member covers (prefix or wildcard match). */
export function assertMatches(uri: string, pattern: string, match: MatchPolicy): string {
  const ok = match === 'prefix'
    ? uri === pattern || uri.startsWith(`${pattern}.`)
    : match === 'wildcard'
      ? matchesWildcard(uri, pattern)
      : uri === pattern;
  if (!ok) throw createError(StubsErrorCode.URI_MISMATCH, `URI "${uri}" does not match the ${match} pattern "${pattern}"`);
  return uri;
}

export function targetUri(target: Target): string {
  return typeof target === 'string' ? target : assertMatches(target.uri, target.pattern, target.match);
}
