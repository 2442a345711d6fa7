// The outbound budget's decisions, against a stand-in session whose queued bytes the test sets:
// episodes with hysteresis, the hard cap, the grace period, the layers of options and their
// checks. The same policy over real sockets is in slow-consumer.test.ts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  Admission, DEFAULT_OUTBOUND_BUDGET, DEFAULT_OUTBOUND_GRACE, HARD_CAP_FACTOR, OutboundBudget, RESUME_FRACTION, resolveOutboundBudget,
  type BudgetOwner, type OutboundBudgetOptions,
} from '../../runtime/router/outbound-budget.js';
import { normalizeRouterOptions } from '../../runtime/router/config.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import { serializerByName } from '../../runtime/serializers/index.js';
import type { WampTransport } from '../../runtime/transports/transport.js';

class Owner implements BudgetOwner {
  readonly sessionId = 42;
  bufferedAmount = 0;
  readonly overflows: string[] = [];
  overflow(why: string): void {
    this.overflows.push(why);
  }
}

function budgetOf(options: Partial<OutboundBudgetOptions>): { budget: OutboundBudget; owner: Owner } {
  const owner = new Owner();
  return { budget: new OutboundBudget(resolveOutboundBudget(options), owner), owner };
}

async function eventually(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), what);
}

describe('outbound budget', () => {
  test('below the budget everything goes; from it on EVENTs are dropped and counted while replies still go; below half of it deliveries resume', () => {
    const { budget, owner } = budgetOf({ budget: 1000, grace: 0 });
    owner.bufferedAmount = 999;
    assert.equal(budget.admit(M.EVENT), Admission.SEND);
    assert.equal(budget.congested, false);
    owner.bufferedAmount = 1000;
    assert.equal(budget.admit(M.EVENT), Admission.DROP);
    for (const type of [M.RESULT, M.ERROR, M.PUBLISHED, M.SUBSCRIBED, M.GOODBYE, M.INTERRUPT]) assert.equal(budget.admit(type), Admission.SEND);
    assert.equal(budget.congested, true);
    // Hysteresis: under the budget but not yet below half of it, still dropping.
    owner.bufferedAmount = 1000 * RESUME_FRACTION;
    assert.equal(budget.admit(M.EVENT), Admission.DROP);
    assert.equal(budget.congested, true);
    owner.bufferedAmount = 1000 * RESUME_FRACTION - 1;
    assert.equal(budget.admit(M.EVENT), Admission.SEND);
    assert.equal(budget.congested, false);
    assert.deepEqual(budget.stats, { buffered: 499, budget: 1000, congested: false, dropped_events: 2, episodes: 1 });
    owner.bufferedAmount = 5000;
    assert.equal(budget.congested, true, 'a second episode');
    assert.equal(budget.stats.episodes, 2);
    assert.deepEqual(owner.overflows, [], 'grace 0 and no cap reached: never closed');
  });

  test('at the hard cap the session is closed once, whatever is sent, and nothing more goes to it', () => {
    const { budget, owner } = budgetOf({ budget: 1000, grace: 0, hardCap: 3000 });
    owner.bufferedAmount = 2999;
    assert.equal(budget.admit(M.RESULT), Admission.SEND);
    owner.bufferedAmount = 3000;
    assert.equal(budget.admit(M.RESULT), Admission.CLOSE);
    assert.equal(owner.overflows.length, 1);
    assert.match(owner.overflows[0]!, /3000 bytes .* hard cap of 3000/);
    owner.bufferedAmount = 0;
    assert.equal(budget.admit(M.GOODBYE), Admission.CLOSE, 'a closing session is sent nothing more through its budget');
    assert.equal(budget.congested, true, 'no new calls go to it either');
    assert.equal(owner.overflows.length, 1);
  });

  test('still over the budget when the grace period ends: closed; draining (under the budget, not below half): looked at again; drained: the episode ends', async () => {
    const stays = budgetOf({ budget: 1000, grace: 5 });
    stays.owner.bufferedAmount = 1500;
    assert.equal(stays.budget.admit(M.EVENT), Admission.DROP);
    await eventually(() => stays.owner.overflows.length === 1, 'closed after the grace period');
    assert.match(stays.owner.overflows[0]!, /1500 bytes still wait .* outbound budget of 1000/);

    const drains = budgetOf({ budget: 1000, grace: 5 });
    drains.owner.bufferedAmount = 1500;
    assert.equal(drains.budget.admit(M.EVENT), Admission.DROP);
    drains.owner.bufferedAmount = 700; // under budget, over the resume mark: no admit tells it
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(drains.owner.overflows, [], 'draining is not closed');
    assert.equal(drains.budget.stats.episodes, 1);
    drains.owner.bufferedAmount = 1200; // over budget again at a later look: closed then
    await eventually(() => drains.owner.overflows.length === 1, 'closed at a later look');

    const drained = budgetOf({ budget: 1000, grace: 5 });
    drained.owner.bufferedAmount = 1500;
    assert.equal(drained.budget.admit(M.EVENT), Admission.DROP);
    drained.owner.bufferedAmount = 100;
    await new Promise((r) => setTimeout(r, 50)); // a look by the timer ends the episode...
    drained.owner.bufferedAmount = 1500;
    await new Promise((r) => setTimeout(r, 50)); // ...and no timer looks after that
    assert.deepEqual(drained.owner.overflows, [], 'a drained episode has no timer left');
    assert.equal(drained.budget.admit(M.EVENT), Admission.DROP, 'the next message starts a new episode');
    assert.equal(drained.budget.stats.episodes, 2);

    const stopped = budgetOf({ budget: 1000, grace: 5 });
    stopped.owner.bufferedAmount = 1500;
    stopped.budget.admit(M.EVENT);
    stopped.budget.stop();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(stopped.owner.overflows, [], 'a session that left is not closed by its old budget');
  });

  test('budget 0 turns it off: nothing dropped, never congested, never closed', () => {
    const { budget, owner } = budgetOf({ budget: 0 });
    owner.bufferedAmount = 10 ** 12;
    assert.equal(budget.admit(M.EVENT), Admission.SEND);
    assert.equal(budget.congested, false);
    assert.deepEqual(owner.overflows, []);
  });

  test('the options in force: defaults, first layer that sets a key wins, the hard cap follows the budget in force and is never below it', () => {
    assert.deepEqual(resolveOutboundBudget(), { budget: DEFAULT_OUTBOUND_BUDGET, grace: DEFAULT_OUTBOUND_GRACE, hardCap: HARD_CAP_FACTOR * DEFAULT_OUTBOUND_BUDGET });
    assert.equal(DEFAULT_OUTBOUND_BUDGET, 16 * 1024 * 1024);
    assert.equal(DEFAULT_OUTBOUND_GRACE, 10_000);
    const listener = { budget: 100 };
    const realm = { budget: 200, grace: 50 };
    const router = { budget: 300, grace: 60, hardCap: 5000 };
    assert.deepEqual(resolveOutboundBudget(listener, realm, router), { budget: 100, grace: 50, hardCap: 5000 });
    assert.deepEqual(resolveOutboundBudget(undefined, realm, {}), { budget: 200, grace: 50, hardCap: 800 });
    assert.deepEqual(resolveOutboundBudget({ budget: 10_000 }, { hardCap: 5000 }), { budget: 10_000, grace: DEFAULT_OUTBOUND_GRACE, hardCap: 10_000 });
    assert.equal(resolveOutboundBudget({ hardCap: 0 }).hardCap, 0);
  });

  test('router, realm and listener options are checked, naming the bad value', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ realms: ['r'], outbound: { budget: -1 } }, /outbound\.budget must be a non-negative integer/],
      [{ realms: ['r'], outbound: { grace: 2 ** 31 } }, /outbound\.grace must be at most/],
      [{ realms: ['r'], outbound: { size: 1 } }, /outbound\.size is not one of budget, grace, hardCap/],
      [{ realms: ['r'], outbound: { budget: 100, hardCap: 99 } }, /outbound\.hardCap must be at least budget \(100\) or 0, got 99/],
      [{ realms: ['r'], outbound: 5 }, /outbound must be an object/],
      [{ realms: [{ name: 'r', outbound: { budget: 1.5 } }] }, /realms\[0\]\.outbound\.budget must be a non-negative integer/],
      [{ realms: ['r'], listeners: [{ type: 'rawsocket', outbound: { grace: 'long' } }] }, /listeners\[0\]\.outbound\.grace must be a non-negative integer/],
    ];
    for (const [options, message] of bad) assert.throws(() => normalizeRouterOptions(options), message, JSON.stringify(options));
    const ok = normalizeRouterOptions({
      realms: [{ name: 'r', outbound: { budget: 1024 } }],
      outbound: { grace: 0, hardCap: 0 },
      listeners: [{ type: 'websocket', port: 0, outbound: { budget: 2048, hardCap: 4096 } }],
    });
    assert.deepEqual(ok.outbound, { grace: 0, hardCap: 0 });
    assert.deepEqual(ok.realms[0]!.outbound, { budget: 1024 });
    assert.deepEqual(ok.listeners[0]!.outbound, { budget: 2048, hardCap: 4096 });
  });
});

test('an in-memory transport reports what waits for delivery as bufferedAmount (serialized size; 0 once delivered)', async () => {
  const [a, b]: WampTransport[] = createMemoryPair({ serializer: serializerByName('json')! });
  const got: unknown[] = [];
  b.on('message', (m) => void got.push(m));
  assert.equal(a.bufferedAmount, 0);
  a.send([M.PUBLISH, 1, {}, 'com.t', ['x'.repeat(100)]]);
  const size = a.bufferedAmount!;
  assert.ok(size > 100, `${size} bytes`);
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(got.length, 1);
  assert.equal(a.bufferedAmount, 0);
  const [c]: WampTransport[] = createMemoryPair();
  c.send([M.PUBLISH, 1, {}, 'com.t', []]);
  assert.equal(c.bufferedAmount, 0, 'values are not measured');
});
