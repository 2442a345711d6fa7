/**
 * Client masking keys (RFC 6455 section 5.3: fresh, unpredictable, per frame).
 * One crypto.randomFillSync call fills a pool that serves many frames.
 */
import { randomFillSync } from 'node:crypto';

const KEY_SIZE = 4;
const POOL_SIZE = 8 * 1024;

let pool: Buffer = Buffer.allocUnsafe(0);
let position = POOL_SIZE;

/** A fresh 4-byte masking key (a view into the current pool). */
export function nextMaskKey(): Buffer {
  if (position + KEY_SIZE > pool.length) {
    // A new pool rather than a refill: keys handed out earlier may still be referenced.
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    position = 0;
  }
  const key = pool.subarray(position, position + KEY_SIZE);
  position += KEY_SIZE;
  return key;
}
