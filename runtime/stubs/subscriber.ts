/**
 * The subscriber side of generated stubs: event handlers that validate events before the
 * handler sees them, what happens to an invalid event, and subscribing a whole topics
 * interface at once. Invalid events never reach a handler and nothing is thrown back into the
 * session; without an `onInvalid` hook they are logged (area `stubs`, docs/logging.md): each one
 * at debug, or at most one warn line per subscription and second, counting the rest.
 */
import { logger } from '../log.js';
import type { EventDetails, EventHandler, Kwargs, SubscribeOptions, Subscription, WampSession } from '../wamp/types.js';
import { describeIssues, toIssues, type PayloadIssue, type PayloadSchema } from './schema.js';

const log = logger('stubs');
/** One warn line per subscription per this many milliseconds, at most. */
const WARN_INTERVAL_MS = 1000;

/** An event that failed validation; it never reaches the handler. */
export interface InvalidEvent {
  /** The member of the topics interface the event was for. */
  readonly member: string;
  readonly topic: string;
  readonly issues: readonly PayloadIssue[];
  readonly args: readonly unknown[];
  readonly kwargs: Kwargs;
  readonly details: EventDetails;
}

export interface SubscribeAllOptions {
  /** Receives events that fail validation instead of the log (see above). Must not throw. */
  readonly onInvalid?: (event: InvalidEvent) => void;
}

/** The subscriptions of one topics interface. */
export interface Subscriptions {
  readonly subscriptions: readonly Subscription[];
  unsubscribe(): Promise<void>;
}

export interface SubscribeEntry {
  readonly uri: string;
  readonly handler: EventHandler;
  readonly options: SubscribeOptions;
}

/** The default for invalid events of one subscription: log, rate-limited at warn. */
function invalidLogger(): (event: InvalidEvent) => void {
  let windowStart = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (event) => {
    const line = (): string => `invalid event on ${event.topic} (${event.member}) dropped: ${describeIssues(event.issues)}`;
    if (log.enabled('debug')) {
      log.debug(line);
      return;
    }
    if (!log.enabled('warn')) return;
    const now = Date.now();
    if (now - windowStart < WARN_INTERVAL_MS) {
      suppressed++;
      return;
    }
    const more = suppressed;
    windowStart = now;
    suppressed = 0;
    log.warn(() => `${line()}${more > 0 ? ` (${more} more dropped in the last second)` : ''}`);
  };
}

function reporter(options: SubscribeAllOptions | undefined): (event: InvalidEvent) => void {
  const hook = options?.onInvalid ?? invalidLogger();
  return (event) => {
    try {
      hook(event);
    } catch {
      // The hook is the end of the line for a bad event: nothing may flow back into the session.
    }
  };
}

/** An event handler that validates positional arguments before `run` sees them. */
export function eventHandler<A>(
  member: string, schema: PayloadSchema<A>, options: SubscribeAllOptions | undefined,
  run: (args: A, details: EventDetails) => void | Promise<void>,
): EventHandler {
  const report = reporter(options);
  return (args, kwargs, details) => {
    const parsed = schema.safeParse(args);
    if (!parsed.success) return report({ member, topic: details.topic, issues: toIssues(parsed.error.issues), args, kwargs, details });
    return run(parsed.data, details);
  };
}

/** An event handler that validates positional and keyword arguments before `run` sees them. */
export function eventHandlerWithKwargs<A, K>(
  member: string, schema: PayloadSchema<A>, kwSchema: PayloadSchema<K>, options: SubscribeAllOptions | undefined,
  run: (args: A, kwargs: K, details: EventDetails) => void | Promise<void>,
): EventHandler {
  const report = reporter(options);
  return (args, kwargs, details) => {
    const parsed = schema.safeParse(args);
    if (!parsed.success) return report({ member, topic: details.topic, issues: toIssues(parsed.error.issues), args, kwargs, details });
    const kw = kwSchema.safeParse(kwargs);
    if (!kw.success) return report({ member, topic: details.topic, issues: toIssues(kw.error.issues), args, kwargs, details });
    return run(parsed.data, kw.data, details);
  };
}

/** Subscribes every entry; if one fails, the ones already made are withdrawn again. */
export async function subscribeAll(session: WampSession, entries: readonly (SubscribeEntry | undefined)[]): Promise<Subscriptions> {
  const done: Subscription[] = [];
  try {
    for (const entry of entries) if (entry !== undefined) done.push(await session.subscribe(entry.uri, entry.handler, entry.options));
  } catch (error) {
    await Promise.allSettled(done.map((s) => s.unsubscribe()));
    throw error;
  }
  return { subscriptions: done, unsubscribe: async () => { await Promise.all(done.map((s) => s.unsubscribe())); } };
}
