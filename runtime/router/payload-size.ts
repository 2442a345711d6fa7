/**
 * An estimate of how many bytes a decoded WAMP payload (Arguments, ArgumentsKw) holds, for
 * budgets kept in bytes (the retention store's maxBytes). It is close to the payload's encoded
 * size: strings count their UTF-8 bytes, binary its byte length, every value, array element and
 * dict entry a fixed overhead. A value referenced twice counts once, as it is held once.
 *
 * The walk is iterative (a payload nested thousands deep cannot overflow the stack) and visits
 * each value once, so it costs O(payload), paid only where a budget needs it.
 */

/** What every value costs beside its content (a slot, a tag, a length). */
const VALUE_OVERHEAD = 8;

export function estimatePayloadBytes(...values: readonly unknown[]): number {
  let total = 0;
  const stack: unknown[] = [...values];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const value = stack.pop();
    total += VALUE_OVERHEAD;
    if (typeof value === 'string') {
      total += Buffer.byteLength(value, 'utf8');
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (seen.has(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      total += value.byteLength;
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else {
      for (const [key, item] of Object.entries(value)) {
        total += Buffer.byteLength(key, 'utf8');
        stack.push(item);
      }
    }
  }
  return total;
}
