/**
 * URI matching for pattern-based subscriptions and registrations (Advanced Profile).
 *
 * - prefix, subscriptions: the topic starts with the pattern as a string (the spec's example:
 *   'com.myapp.topic.emergency' matches 'com.myapp.topic.emergency-low').
 * - prefix, registrations: whole components (the spec's example: 'a1.b2.c3' does not match
 *   'a1.b2.c33.d4.e5').
 * - wildcard: same number of components; an empty pattern component matches any one.
 *
 * For calls, the spec picks one registration: exact, else the longest prefix, else the
 * wildcard whose runs of fixed components, compared left to right, are longest
 * (`wildcardRank`).
 */

export type MatchPolicy = 'exact' | 'prefix' | 'wildcard';

export function matchesPrefix(pattern: string, uri: string): boolean {
  return uri.startsWith(pattern);
}

export function matchesComponentPrefix(pattern: string, uri: string): boolean {
  if (!uri.startsWith(pattern)) return false;
  return uri.length === pattern.length || pattern.endsWith('.') || uri[pattern.length] === '.';
}

/** A wildcard pattern split once into components ('' = any one component). */
export function wildcardComponents(pattern: string): string[] {
  return pattern.split('.');
}

export function matchesWildcard(components: readonly string[], uri: string): boolean {
  const parts = uri.split('.');
  if (parts.length !== components.length) return false;
  for (let i = 0; i < parts.length; i++) {
    const c = components[i] as string;
    if (c !== '' && c !== parts[i]) return false;
  }
  return true;
}

/** Lengths of the runs of fixed components before each wildcard: 'a1.b2..d4.e5' -> [2, 2]. */
export function wildcardRank(components: readonly string[]): number[] {
  const runs: number[] = [];
  let run = 0;
  for (const c of components) {
    if (c === '') {
      runs.push(run);
      run = 0;
    } else {
      run++;
    }
  }
  runs.push(run);
  return runs;
}

/** Positive when rank `a` is more specific than `b` (lexicographic on the runs). */
export function compareRanks(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
