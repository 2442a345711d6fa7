/**
 * Authorization of pattern subscriptions and registrations per concrete URI.
 *
 * A role may subscribe under `com.example.` and not under `com.example.admin.`; its SUBSCRIBE
 * with match prefix `com.example.` (or wildcard `com.example..secret`) is allowed as a request,
 * but it must not receive the events of `com.example.admin.secret`. So when the authorizer
 * allows a pattern it also proves, from the role's permission table, whether every URI the
 * pattern can match is allowed (`onlyMatchesAllowed`). If so nothing more is checked; if not,
 * the decision carries a `UriGuard` that the broker asks before each delivery (and the dealer
 * before routing a call to that callee), answering from a per-role cache of verdicts so a
 * guarded delivery costs one Map lookup after the first event on each topic. Subscriptions and
 * registrations that need no guard (every exact one, and every one in a realm without an
 * authorization table) cost the broker and dealer nothing: they skip the check per
 * subscription, not per receiver.
 *
 * Dynamic authorizers cannot be proven safe: their guard asks the authorizer once per session
 * and concrete URI (see the authorizer) and may answer with a Promise.
 */
import { MatchPolicy, type UriIndexEntry, type UriMatch } from './uri-matcher.js';
import { patternCovers, patternsOverlap, takesPrecedence } from './uri-overlap.js';

/**
 * May the session that subscribed/registered this pattern have `uri` (a concrete topic or
 * procedure the pattern matched)? A Promise when a dynamic authorizer has to be asked first.
 */
export type UriGuard = (uri: string) => boolean | Promise<boolean>;

/** Verdicts remembered per role and action (per session for dynamic authorizers); emptied when full. */
export const GUARD_VERDICTS_KEPT = 4096;

/** The match policy of a SUBSCRIBE/REGISTER's options when it is a pattern; undefined for exact. */
export function patternPolicy(options: Readonly<Record<string, unknown>>): UriMatch | undefined {
  const match = options['match'];
  return match === MatchPolicy.PREFIX || match === MatchPolicy.WILDCARD ? match : undefined;
}

/**
 * True when the table allows every concrete URI `pattern` matches: some permission that
 * `allows` (the action asked about) contains the pattern, and no denying permission that meets
 * it can win over that one for a URI (see uri-overlap.ts). False means "not proven": check each
 * URI. The permission's shape is the authorizer's (a predicate, so this module needs none of it).
 */
export function onlyMatchesAllowed<P>(
  permissions: Iterable<UriIndexEntry<P>>,
  pattern: string,
  match: UriMatch,
  allows: (permission: P) => boolean,
): boolean {
  const allowing: Array<UriIndexEntry<P>> = [];
  const denying: Array<UriIndexEntry<P>> = [];
  for (const p of permissions) (allows(p.value) ? allowing : denying).push(p);
  const covering = allowing.filter((p) => patternCovers(p.pattern, p.match, pattern, match));
  if (covering.length === 0) return false;
  return denying.every((d) => !patternsOverlap(d.pattern, d.match, pattern, match) ||
    covering.some((c) => !takesPrecedence(d.pattern, d.match, c.pattern, c.match)));
}

/** A guard answering from `decide` (a synchronous table lookup), remembering each verdict. */
export function cachedGuard(decide: (uri: string) => boolean): UriGuard {
  const verdicts = new Map<string, boolean>();
  return (uri) => {
    let verdict = verdicts.get(uri);
    if (verdict === undefined) {
      verdict = decide(uri);
      if (verdicts.size >= GUARD_VERDICTS_KEPT) verdicts.clear();
      verdicts.set(uri, verdict);
    }
    return verdict;
  };
}
