/**
 * Which node incarnations are alive. NATS 2.9 has no per-key expiry, so liveness is by
 * heartbeats: every node says it is alive every `heartbeatMs` on `<prefix>.beat` (from a thread
 * of its own, heartbeats.ts; the tick here is what tells that thread this one still runs), and an
 * incarnation not heard from for `deadAfterMs` is dead. An incarnation known only from the
 * registry (a session entry, a node entry: it may have died while nobody watched) gets the same
 * window from when this node learned of it.
 *
 * A node whose own timer ran late (its event loop stalled) cannot tell a silent peer from its
 * own deafness: it starts every peer's window afresh instead of counting them dead.
 */
export interface LivenessHooks {
  /** This node's liveness tick, every heartbeatMs (sequence number `seq`): it beats, or tells its heartbeat thread it runs. */
  beat(seq: number): void;
  /** An incarnation is dead (silent, stopped, or declared dead by the registry). Called once per incarnation. */
  dead(node: string, incarnation: string): void;
}

export interface LivenessOptions {
  readonly heartbeatMs: number;
  readonly deadAfterMs: number;
  readonly now?: () => number;
}

const incarnationKey = (node: string, incarnation: string): string => `${node}/${incarnation}`;
/** A tick this much later than scheduled (in heartbeats) means this node stalled. */
const STALL_FACTOR = 2;

export class Liveness {
  readonly #self: () => string;
  readonly #hooks: LivenessHooks;
  readonly #heartbeatMs: number;
  readonly #deadAfterMs: number;
  readonly #now: () => number;
  readonly #seen = new Map<string, { node: string; incarnation: string; at: number }>();
  readonly #dead = new Set<string>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastTick = 0;
  #seq = 0;

  constructor(self: () => string, options: LivenessOptions, hooks: LivenessHooks) {
    this.#self = self;
    this.#hooks = hooks;
    this.#heartbeatMs = options.heartbeatMs;
    this.#deadAfterMs = options.deadAfterMs;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (this.#timer !== null) return;
    this.#lastTick = this.#now();
    // While stopped (cut off from NATS, or counted dead) this node heard nothing: that silence
    // says nothing of the others, so each gets a whole window from now to be heard again.
    for (const entry of this.#seen.values()) entry.at = this.#lastTick;
    this.#hooks.beat(++this.#seq);
    this.#timer = setInterval(() => this.#tick(), this.#heartbeatMs);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /**
   * A heartbeat (or any message) from an incarnation, received at `at` (default: now). The
   * heartbeat thread reads its own clock on receipt, so a report that waited in this thread's
   * queue still counts from when the heartbeat arrived; the latest receipt wins.
   */
  heard(node: string, incarnation: string, at = this.#now()): void {
    const key = incarnationKey(node, incarnation);
    if (this.#dead.has(key) || key === this.#self()) return;
    const entry = this.#seen.get(key);
    if (entry === undefined) this.#seen.set(key, { node, incarnation, at });
    else if (at > entry.at) entry.at = at;
  }

  /** The registry names an incarnation: watch it (it has deadAfterMs from now to be heard). */
  known(node: string, incarnation: string): void {
    const key = incarnationKey(node, incarnation);
    if (this.#dead.has(key) || key === this.#self() || this.#seen.has(key)) return;
    this.#seen.set(key, { node, incarnation, at: this.#now() });
  }

  /** An incarnation is dead for a reason other than silence (it said it stops; the registry says so). */
  declareDead(node: string, incarnation: string): void {
    const key = incarnationKey(node, incarnation);
    if (this.#dead.has(key) || key === this.#self()) return;
    this.#dead.add(key);
    this.#seen.delete(key);
    this.#hooks.dead(node, incarnation);
  }

  isDead(node: string, incarnation: string): boolean {
    return this.#dead.has(incarnationKey(node, incarnation));
  }

  /** True when an incarnation was heard from after time `since` (ms); false when it is dead or has been silent since. */
  heardSince(node: string, incarnation: string, since: number): boolean {
    const entry = this.#seen.get(incarnationKey(node, incarnation));
    return entry !== undefined && entry.at > since;
  }

  /** Incarnations currently counted alive (not this one). */
  alive(): Array<{ node: string; incarnation: string }> {
    return [...this.#seen.values()].map(({ node, incarnation }) => ({ node, incarnation }));
  }

  #tick(): void {
    const now = this.#now();
    const late = now - this.#lastTick > this.#heartbeatMs * STALL_FACTOR;
    this.#lastTick = now;
    this.#hooks.beat(++this.#seq);
    if (late) {
      for (const entry of this.#seen.values()) entry.at = now;
      return;
    }
    for (const entry of [...this.#seen.values()]) {
      if (now - entry.at > this.#deadAfterMs) this.declareDead(entry.node, entry.incarnation);
    }
  }
}
