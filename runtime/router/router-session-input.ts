/**
 * Leniency on the router's input path: some clients (wampy over CBOR) send option keys whose
 * value is `undefined`, which JSON would simply drop. The session retries a message that failed
 * to parse once with those entries removed.
 */

/** A copy of a message with dict entries whose value is undefined removed (the same value when there are none). */
export function withoutUndefined(value: unknown, depth = 0): unknown {
  if (depth > 4 || typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, i) => {
      const cleaned = withoutUndefined(item, depth + 1);
      if (cleaned !== item) (copy ??= value.slice())[i] = cleaned;
    });
    return copy ?? value;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.some(([, v]) => v === undefined)) return value;
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}
