/**
 * The outbound budget of one router session: how many bytes may wait in its transport for a
 * receiver that does not read. Without it a subscriber that stops reading while others publish
 * grows the router without bound (61 MB to 1.2 GB in a minute, issue 11), because every EVENT
 * is written to a socket that never drains.
 *
 * The measure is the transport's `bufferedAmount`: bytes accepted for the session and not yet
 * handed to the kernel. It is read before each message the router sends the session, so the
 * decision costs a few property reads per receiver and nothing when the session is reading.
 *
 *   below `budget`           everything is sent
 *   from `budget` on         an episode begins (one warn line): EVENTs to the session are
 *                            dropped and counted, the dealer routes no new CALL to it (a
 *                            shared registration picks another callee, else the caller gets
 *                            ERROR wampkit.error.callee_overloaded); replies it asked for
 *                            (RESULT, ERROR, PUBLISHED, ...) and the session's own protocol
 *                            messages are still sent
 *   below budget × RESUME    the episode ends (one info line with what was dropped): hysteresis,
 *                            so a session hovering at the budget does not flap per message
 *   `grace` ms into an       still at or over `budget`: the session is closed with GOODBYE
 *   episode                  `wampkit.close.slow_consumer` and its transport with WebSocket
 *                            close 1008; between RESUME and budget: checked again after
 *                            another `grace` (it is draining)
 *   from `hardCap` on        closed at once, however long the episode (replies a caller never
 *                            reads, one very large message)
 *
 * The defaults follow what WebSocket servers with a send budget use (Bun's backpressureLimit,
 * uWebSockets' maxBackpressure: 16 MiB): 16 MiB is also the router's default `maxMessageSize`, so
 * a session that reads at all can always receive one message of the largest size.
 */
import { MessageType } from '../wamp/message-types.js';
import { logger } from '../log.js';

const log = logger('router');

/** A router session's outbound budget, as configured (router-wide, per realm, per listener). */
export interface OutboundBudgetOptions {
  /**
   * Bytes queued for the session and not yet written to its socket from which on its EVENTs are
   * dropped and no new CALL is routed to it. 0: no budget (nothing is dropped or closed).
   */
  budget: number;
  /** Ms a session may stay at or over its budget before it is closed; 0: never for this reason. */
  grace: number;
  /** Bytes queued at which the session is closed at once; default 4 × budget; 0: no cap. */
  hardCap: number;
}

export const DEFAULT_OUTBOUND_BUDGET = 16 * 1024 * 1024;
export const DEFAULT_OUTBOUND_GRACE = 10_000;
/** The hard cap, when no layer sets it, as a multiple of the budget in force. */
export const HARD_CAP_FACTOR = 4;
/** Deliveries resume once the queue drained below this fraction of the budget. */
export const RESUME_FRACTION = 0.5;
export const OUTBOUND_BUDGET_KEYS: readonly (keyof OutboundBudgetOptions)[] = Object.freeze(['budget', 'grace', 'hardCap']);

/** The GOODBYE reason of a session the router closes for not reading (ours: the spec has none). */
export const OutboundCloseReason = {
  SLOW_CONSUMER: 'wampkit.close.slow_consumer',
} as const;
export type OutboundCloseReason = (typeof OutboundCloseReason)[keyof typeof OutboundCloseReason];

/** The budget in force: each key from the first layer that sets it, else its default. */
export function resolveOutboundBudget(...layers: ReadonlyArray<Partial<OutboundBudgetOptions> | undefined>): Readonly<OutboundBudgetOptions> {
  const pick = (key: keyof OutboundBudgetOptions): number | undefined => layers.find((l) => l?.[key] !== undefined)?.[key];
  const budget = pick('budget') ?? DEFAULT_OUTBOUND_BUDGET;
  const grace = pick('grace') ?? DEFAULT_OUTBOUND_GRACE;
  const cap = pick('hardCap') ?? HARD_CAP_FACTOR * budget;
  // A cap below the budget (set in another layer than the budget) would close before dropping.
  return Object.freeze({ budget, grace, hardCap: cap === 0 ? 0 : Math.max(cap, budget) });
}

/** What the budget does with one message to the session. */
export const Admission = {
  SEND: 0,
  /** An EVENT during an episode: not sent, counted. */
  DROP: 1,
  /** The session passed its hard cap (or overflowed earlier) and is being closed: not sent. */
  CLOSE: 2,
} as const;
export type Admission = (typeof Admission)[keyof typeof Admission];

/** What the budget needs of its session. */
export interface BudgetOwner {
  readonly sessionId: number;
  /** Bytes queued for the session in its transport, not yet written to the socket. */
  readonly bufferedAmount: number;
  /**
   * Ends the session for not reading; `why` goes to GOODBYE's Details.message. Called while a
   * message is being routed: the session must close after the current step, not inside it.
   */
  overflow(why: string): void;
}

/** The counters the meta API reports (wamp.session.get: transport.outbound). */
export interface OutboundStats {
  readonly buffered: number;
  readonly budget: number;
  /** True while an episode lasts (EVENTs dropped, no new calls). */
  readonly congested: boolean;
  /** EVENTs dropped over the session's life. */
  readonly dropped_events: number;
  /** Episodes over the session's life. */
  readonly episodes: number;
}

export class OutboundBudget {
  readonly options: Readonly<OutboundBudgetOptions>;
  readonly #owner: BudgetOwner;
  readonly #resumeBelow: number;
  /** Start of the current episode (Date.now()), or -1 when none. */
  #since = -1;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #dropped = 0;
  #droppedInEpisode = 0;
  #episodes = 0;
  /** The session left (no more decisions) or is being closed for overflowing (nothing more is sent). */
  #ended = false;
  #overflowed = false;

  constructor(options: Readonly<OutboundBudgetOptions>, owner: BudgetOwner) {
    this.options = options;
    this.#owner = owner;
    this.#resumeBelow = options.budget * RESUME_FRACTION;
  }

  /** Decides about one message of `type` about to be sent to the session. */
  admit(type: number): Admission {
    const { budget, hardCap } = this.options;
    if (this.#overflowed) return Admission.CLOSE;
    if (budget === 0 || this.#ended) return Admission.SEND;
    const buffered = this.#owner.bufferedAmount;
    if (hardCap > 0 && buffered >= hardCap) {
      this.#overflow(`${buffered} bytes wait to be written to it, at or over its hard cap of ${hardCap}`);
      return Admission.CLOSE;
    }
    this.#update(buffered);
    if (this.#since >= 0 && type === MessageType.EVENT) {
      this.#dropped++;
      this.#droppedInEpisode++;
      return Admission.DROP;
    }
    return Admission.SEND;
  }

  /** True while the session is over its budget (with hysteresis): no new CALL goes to it. */
  get congested(): boolean {
    if (this.#overflowed) return true;
    if (this.options.budget === 0 || this.#ended) return false;
    this.#update(this.#owner.bufferedAmount);
    return this.#since >= 0;
  }

  get stats(): OutboundStats {
    const congested = this.congested;
    return { buffered: this.#owner.bufferedAmount, budget: this.options.budget, congested, dropped_events: this.#dropped, episodes: this.#episodes };
  }

  /** The session is over: no more timers, no more decisions. */
  stop(): void {
    this.#ended = true;
    this.#clearTimer();
  }

  #update(buffered: number): void {
    if (this.#since < 0) {
      if (buffered >= this.options.budget) this.#begin(buffered);
    } else if (buffered < this.#resumeBelow) {
      this.#end(buffered);
    }
  }

  #begin(buffered: number): void {
    this.#since = Date.now();
    this.#episodes++;
    this.#droppedInEpisode = 0;
    const { budget, grace } = this.options;
    log.warn(() => `session ${this.#owner.sessionId} is not reading: ${buffered} bytes wait to be written to it, over its outbound budget of ${budget}; ` +
      `its events are dropped and no calls go to it until it drains below ${this.#resumeBelow}${grace > 0 ? `, and it is closed if still over budget in ${grace} ms` : ''}`);
    this.#arm();
  }

  #end(buffered: number): void {
    const lasted = Date.now() - this.#since;
    this.#since = -1;
    this.#clearTimer();
    log.info(() => `session ${this.#owner.sessionId} drained to ${buffered} bytes after ${lasted} ms over its outbound budget: deliveries resume; ${this.#droppedInEpisode} events were dropped`);
  }

  #arm(): void {
    const grace = this.options.grace;
    if (grace === 0) return;
    this.#timer = setTimeout(() => this.#graceOver(), grace);
    // A session's budget must not keep an otherwise finished process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #graceOver(): void {
    this.#timer = null;
    if (this.#ended) return;
    const buffered = this.#owner.bufferedAmount;
    this.#update(buffered);
    if (this.#since < 0) return;
    if (buffered >= this.options.budget) {
      this.#overflow(`${buffered} bytes still wait to be written to it after ${Date.now() - this.#since} ms over its outbound budget of ${this.options.budget}`);
      return;
    }
    this.#arm(); // under budget but not yet below the resume mark: it is draining, look again later
  }

  #overflow(why: string): void {
    this.stop();
    this.#overflowed = true;
    log.warn(() => `closing session ${this.#owner.sessionId}: ${why} (${this.#dropped} events dropped)`);
    this.#owner.overflow(why);
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
