/**
 * A timeout of any length. Node and browsers keep a timer's delay as a signed 32-bit number:
 * a delay above 2^31-1 ms (about 24.8 days) is replaced by 1 ms (Node prints a
 * TimeoutOverflowWarning), so the timer fires at once. WAMP's CALL.Options.timeout is any
 * positive integer, so the dealer's call timer and a callee honouring a forwarded timeout use
 * this instead: a chain of timers, each at most MAX_TIMER_DELAY long, firing once the whole
 * delay has passed. Up to MAX_TIMER_DELAY it is exactly one setTimeout.
 */

/** The longest delay one setTimeout honours (2^31-1 ms). */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

export interface LongTimeout {
  /** Stops the timeout; the callback will not run. Safe to call more than once. */
  clear(): void;
}

export interface LongTimeoutOptions {
  /** Do not keep the process alive for this timer (Node's `unref`; ignored where absent). */
  unref?: boolean;
}

/** Runs `callback` once after `ms` milliseconds (any finite non-negative number). */
export function setLongTimeout(callback: () => void, ms: number, options: LongTimeoutOptions = {}): LongTimeout {
  let remaining = Number.isFinite(ms) && ms > 0 ? ms : 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const arm = (): void => {
    const step = Math.min(remaining, MAX_TIMER_DELAY);
    remaining -= step;
    timer = setTimeout(() => {
      timer = null;
      if (remaining > 0) arm();
      else callback();
    }, step);
    if (options.unref === true) (timer as { unref?: () => void }).unref?.();
  };
  arm();
  return {
    clear(): void {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      remaining = 0;
    },
  };
}
