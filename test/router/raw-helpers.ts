// Raw-peer helpers for the Advanced Profile router tests: join with chosen role features, and
// wait for a message matching a predicate.
import { RawPeer } from './helpers.js';
import type { Router } from '../../runtime/router/router.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';

export const ALL_FEATURES = {
  caller: { features: { progressive_call_invocations: true, progressive_call_results: true, call_canceling: true, call_timeout: true } },
  callee: { features: { progressive_call_invocations: true, progressive_call_results: true, call_canceling: true, call_timeout: true, registration_revocation: true } },
  publisher: { features: {} },
  subscriber: { features: { subscription_revocation: true } },
};

export interface Joined {
  readonly peer: RawPeer;
  readonly id: number;
  /** Next request ID (sequential, as the router enforces). */
  req(): number;
}

export async function joinRaw(router: Router, roles: Record<string, unknown> = ALL_FEATURES, extra: Record<string, unknown> = {}): Promise<Joined> {
  const peer = new RawPeer(router);
  const welcome = await peer.hello('realm1', { roles, ...extra });
  assert2(welcome[0] === M.WELCOME, `expected WELCOME, got ${JSON.stringify(welcome)}`);
  let n = 0;
  return { peer, id: welcome[1] as number, req: () => ++n };
}

function assert2(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/** The next message of `type` whose fields satisfy `pred` (others stay queued). */
export async function nextWhere(peer: RawPeer, type: number, pred: (m: unknown[]) => boolean, timeoutMs = 4000): Promise<unknown[]> {
  const deadline = Date.now() + timeoutMs;
  const skipped: unknown[] = [];
  try {
    for (let i = 0; i < 200 && Date.now() < deadline; i++) {
      const m = await peer.next(type, Math.max(1, deadline - Date.now()));
      if (pred(m)) return m;
      skipped.push(m);
    }
  } finally {
    peer.received.unshift(...skipped);
  }
  throw new Error(`no message of type ${type} matched; skipped ${JSON.stringify(skipped)}`);
}

/** Subscribes and returns the subscription ID. */
export async function subscribeRaw(j: Joined, topic: string, options: Record<string, unknown> = {}): Promise<number> {
  const r = j.req();
  j.peer.send([M.SUBSCRIBE, r, options, topic]);
  const m = await nextWhere(j.peer, M.SUBSCRIBED, (x) => x[1] === r);
  return m[2] as number;
}

/** Registers and returns the registration ID. */
export async function registerRaw(j: Joined, procedure: string, options: Record<string, unknown> = {}): Promise<number> {
  const r = j.req();
  j.peer.send([M.REGISTER, r, options, procedure]);
  const m = await nextWhere(j.peer, M.REGISTERED, (x) => x[1] === r);
  return m[2] as number;
}

/** Calls and returns the RESULT or ERROR message. */
export async function callRaw(j: Joined, procedure: string, args: unknown[] = [], kwargs?: Record<string, unknown>, options: Record<string, unknown> = {}): Promise<unknown[]> {
  const r = j.req();
  j.peer.send(kwargs === undefined ? [M.CALL, r, options, procedure, args] : [M.CALL, r, options, procedure, args, kwargs]);
  return waitAnswer(j, r);
}

export async function waitAnswer(j: Joined, request: number): Promise<unknown[]> {
  for (let i = 0; i < 400; i++) {
    const hit = j.peer.received.findIndex((m) => Array.isArray(m) &&
      ((m[0] === M.RESULT && m[1] === request) || (m[0] === M.ERROR && m[1] === M.CALL && m[2] === request)));
    if (hit >= 0) return j.peer.received.splice(hit, 1)[0] as unknown[];
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no answer to CALL ${request}; got ${JSON.stringify(j.peer.received)}`);
}
