/**
 * Per-session limits of a realm: how many registrations and subscriptions one session may hold,
 * how many of its calls may be pending as caller, and how many invocations may be pending at it
 * as callee. Without them one client could grow the router without bound (a million
 * registrations cost about half a gigabyte). A request over a limit is refused with an ERROR
 * carrying one of `LimitErrorUri`; the session and everybody else carry on.
 *
 * The spec has no error URI for these, so they are ours, named after Crossbar's
 * `crossbar.error.max_concurrency_reached` (which the callee limit mirrors) so that a Crossbar
 * or Autobahn user recognises them. Defaults are generous for real applications and small
 * enough that one session's worst case is a few megabytes; `RouterOptions.limits` sets them for
 * every realm, `RealmConfig.limits` per realm (key by key over the router's).
 */

export const LimitErrorUri = {
  /** REGISTER when the session already holds `maxRegistrations` registrations. */
  MAX_REGISTRATIONS: 'wampkit.error.max_registrations_reached',
  /** SUBSCRIBE when the session already holds `maxSubscriptions` subscriptions. */
  MAX_SUBSCRIPTIONS: 'wampkit.error.max_subscriptions_reached',
  /** CALL when the caller already has `maxPendingCalls` calls unanswered. */
  MAX_PENDING_CALLS: 'wampkit.error.max_pending_calls_reached',
  /** CALL when every callee it could go to has `maxPendingInvocations` invocations unanswered. */
  MAX_CONCURRENCY: 'wampkit.error.max_concurrency_reached',
} as const;
export type LimitErrorUri = (typeof LimitErrorUri)[keyof typeof LimitErrorUri];

export interface SessionLimits {
  /** Registrations one session may hold (a shared registration counts once). */
  readonly maxRegistrations: number;
  /** Subscriptions one session may hold (subscribing twice to the same one counts once). */
  readonly maxSubscriptions: number;
  /** Calls one session may have pending as caller (progressive continuations are not new calls). */
  readonly maxPendingCalls: number;
  /**
   * Invocations pending at one session as callee. A shared registration then picks another of
   * its callees; when none can take the call, the caller gets MAX_CONCURRENCY.
   */
  readonly maxPendingInvocations: number;
}

export const DEFAULT_SESSION_LIMITS: Readonly<SessionLimits> = Object.freeze({
  maxRegistrations: 10_000,
  maxSubscriptions: 10_000,
  maxPendingCalls: 10_000,
  maxPendingInvocations: 10_000,
});

export const SESSION_LIMIT_KEYS: readonly (keyof SessionLimits)[] = Object.freeze(Object.keys(DEFAULT_SESSION_LIMITS) as (keyof SessionLimits)[]);

/** The limits in force: each key from the first layer that sets it, else its default. */
export function resolveSessionLimits(...layers: ReadonlyArray<Partial<SessionLimits> | undefined>): SessionLimits {
  const out: Record<keyof SessionLimits, number> = { ...DEFAULT_SESSION_LIMITS };
  for (const key of SESSION_LIMIT_KEYS) {
    const set = layers.find((l) => l?.[key] !== undefined);
    if (set !== undefined) out[key] = set[key]!;
  }
  return out;
}
