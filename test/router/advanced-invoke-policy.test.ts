// Shared registrations: admission rules and each invocation policy's choice of callee.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CalleeList, InvokePolicy, SharedRegistrationError, isInvokePolicy } from '../../runtime/router/invoke-policy.js';

function picks<C>(list: CalleeList<C>, n: number, eligible?: (c: C) => boolean): Array<C | undefined> {
  return Array.from({ length: n }, () => list.pick(eligible));
}

describe('CalleeList admission', () => {
  test('single refuses any second callee with procedure_already_exists', () => {
    const list = new CalleeList<string>('single');
    assert.deepEqual(list.add('a', 'single'), { ok: true });
    for (const policy of ['single', 'roundrobin']) {
      const outcome = list.add('b', policy);
      assert.equal(outcome.ok, false);
      assert.equal(!outcome.ok && outcome.error, SharedRegistrationError.ALREADY_EXISTS);
    }
    assert.deepEqual(list.callees, ['a']);
  });

  test('a shared registration admits only the same policy; another policy is a conflict', () => {
    const list = new CalleeList<string>('roundrobin');
    assert.equal(list.add('a', 'roundrobin').ok, true);
    assert.equal(list.add('b', 'roundrobin').ok, true);
    const conflict = list.add('c', 'random');
    assert.equal(!conflict.ok && conflict.error, 'wamp.error.procedure_exists_with_different_invocation_policy');
    const single = list.add('c', 'single');
    assert.equal(!single.ok && single.error, SharedRegistrationError.POLICY_CONFLICT);
    const twice = list.add('a', 'roundrobin');
    assert.equal(!twice.ok && twice.error, SharedRegistrationError.ALREADY_EXISTS);
    const unknown = list.add('d', 'fastest');
    assert.equal(!unknown.ok && unknown.error, 'wamp.error.invalid_argument');
    assert.deepEqual(list.callees, ['a', 'b']);
  });

  test('an empty list (all callees gone) admits again; the constructor refuses unknown policies', () => {
    const list = new CalleeList<string>('first');
    list.add('a');
    assert.equal(list.remove('a'), true);
    assert.equal(list.remove('a'), false);
    assert.equal(list.size, 0);
    assert.equal(list.pick(), undefined);
    assert.equal(list.add('b').ok, true);
    assert.throws(() => new CalleeList<string>('fastest' as InvokePolicy), /fastest/);
    assert.equal(isInvokePolicy('last'), true);
    assert.equal(isInvokePolicy(3), false);
  });
});

describe('CalleeList.pick', () => {
  test('first and last: hot stand-by in registration order, falling back when one is not eligible', () => {
    const first = new CalleeList<string>('first');
    const last = new CalleeList<string>('last');
    for (const c of ['a', 'b', 'c']) {
      first.add(c);
      last.add(c);
    }
    assert.deepEqual(picks(first, 3), ['a', 'a', 'a']);
    assert.deepEqual(picks(last, 3), ['c', 'c', 'c']);
    assert.equal(first.pick((c) => c !== 'a'), 'b');
    assert.equal(last.pick((c) => c !== 'c'), 'b');
    first.remove('a');
    last.remove('c');
    assert.equal(first.pick(), 'b');
    assert.equal(last.pick(), 'b');
    assert.equal(first.pick(() => false), undefined);
  });

  test('roundrobin cycles in registration order and keeps its place when callees leave or join', () => {
    const list = new CalleeList<string>('roundrobin');
    for (const c of ['a', 'b', 'c', 'd']) list.add(c);
    assert.deepEqual(picks(list, 5), ['a', 'b', 'c', 'd', 'a']);
    // Next is 'b'; removing 'a' (before the cursor) must not skip 'b'.
    list.remove('a');
    assert.deepEqual(picks(list, 3), ['b', 'c', 'd']);
    // Next is 'b' again (wrapped); removing 'b' itself makes 'c' next.
    list.remove('b');
    assert.deepEqual(picks(list, 2), ['c', 'd']);
    list.add('e');
    assert.deepEqual(picks(list, 3), ['c', 'd', 'e']);
    // The last one leaving while the cursor points past the end wraps to the start.
    list.remove('e');
    assert.deepEqual(picks(list, 2), ['c', 'd']);
  });

  test('roundrobin skips ineligible callees without losing the rotation', () => {
    const list = new CalleeList<string>('roundrobin');
    for (const c of ['a', 'b', 'c']) list.add(c);
    const busy = new Set(['b']);
    assert.deepEqual(picks(list, 4, (c) => !busy.has(c)), ['a', 'c', 'a', 'c']);
    busy.clear();
    assert.deepEqual(picks(list, 3, (c) => !busy.has(c)), ['a', 'b', 'c']);
    assert.equal(list.pick(() => false), undefined);
  });

  test('random draws from the injected source over eligible callees only', () => {
    const draws = [0, 0.5, 0.99, 0.999999];
    let i = 0;
    const list = new CalleeList<string>('random', () => draws[i++ % draws.length]!);
    for (const c of ['a', 'b', 'c']) list.add(c);
    assert.deepEqual(picks(list, 4), ['a', 'b', 'c', 'c']);
    i = 0;
    assert.deepEqual(picks(list, 3, (c) => c !== 'a'), ['b', 'c', 'c']);
  });

  test('random with Math.random reaches every callee (bounded draws)', () => {
    const list = new CalleeList<number>('random');
    for (let c = 0; c < 4; c++) list.add(c);
    const seen = new Set<number | undefined>();
    for (let n = 0; n < 2000 && seen.size < 4; n++) seen.add(list.pick());
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
  });

  test('single picks its one callee', () => {
    const list = new CalleeList<string>(InvokePolicy.SINGLE);
    list.add('only');
    assert.deepEqual(picks(list, 2), ['only', 'only']);
  });
});
