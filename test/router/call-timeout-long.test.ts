// Call timeouts longer than one timer can hold (2^31-1 ms): setLongTimeout chains timers, and
// the dealer's CALL.Options.timeout uses it, so such a call is not ended after about 1 ms.
import { test, describe, mock } from 'node:test';
import assert from 'node:assert/strict';
import { setLongTimeout, MAX_TIMER_DELAY } from '../../runtime/long-timeout.js';
import { makeRouter, delay } from './helpers.js';
import { joinRaw, registerRaw, callRaw } from './raw-helpers.js';
import { MessageType as M } from '../../runtime/wamp/message-types.js';

describe('setLongTimeout', () => {
  test('a delay above 2^31-1 ms fires once the whole delay has passed, not before (mocked clock)', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let fired = 0;
      setLongTimeout(() => fired++, MAX_TIMER_DELAY + 5);
      mock.timers.tick(10);
      assert.equal(fired, 0, 'a plain setTimeout would have fired after 1 ms');
      mock.timers.tick(MAX_TIMER_DELAY - 10);
      assert.equal(fired, 0, 'one timer length is not the whole delay');
      mock.timers.tick(5);
      assert.equal(fired, 1);
      mock.timers.tick(MAX_TIMER_DELAY);
      assert.equal(fired, 1, 'once');
    } finally {
      mock.timers.reset();
    }
  });

  test('clear stops it in any segment; short delays are one timer', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let fired = 0;
      const long = setLongTimeout(() => fired++, 3 * MAX_TIMER_DELAY);
      mock.timers.tick(MAX_TIMER_DELAY + 1);
      long.clear();
      long.clear();
      mock.timers.tick(3 * MAX_TIMER_DELAY);
      assert.equal(fired, 0);
      setLongTimeout(() => fired++, 20);
      mock.timers.tick(20);
      assert.equal(fired, 1);
    } finally {
      mock.timers.reset();
    }
  });
});

describe('dealer call timeout above 2^31-1 ms', () => {
  test('the call is not timed out at once: the callee answers later and the caller gets the RESULT', async () => {
    const router = makeRouter();
    const callee = await joinRaw(router);
    const caller = await joinRaw(router);
    await registerRaw(callee, 'com.slow');
    const answer = callRaw(caller, 'com.slow', [], undefined, { timeout: 2 ** 31 });
    const inv = await callee.peer.next(M.INVOCATION);
    // The overflowed timer would fire 1 ms after the CALL; this answer comes well after it.
    await delay(30);
    callee.peer.send([M.YIELD, inv[1], {}, ['late but in time']]);
    const got = await answer;
    assert.equal(got[0], M.RESULT, `expected RESULT, got ${JSON.stringify(got)}`);
    assert.deepEqual(got[3], ['late but in time']);
    await router.close(50);
  });
});

describe('router timer options above 2^31-1 ms', () => {
  test('helloTimeout and an authorizer hookTimeout that one timer cannot hold are refused, naming the option', async () => {
    const { Authorizer } = await import('../../runtime/router/authorizer.js');
    assert.throws(() => makeRouter({ helloTimeout: 2 ** 31 }), /helloTimeout must be at most 2147483647/);
    assert.doesNotThrow(() => makeRouter({ helloTimeout: MAX_TIMER_DELAY }));
    assert.throws(() => new Authorizer({ roles: [] }, { hookTimeout: 2 ** 31 }), /hookTimeout must be a positive integer of at most 2147483647/);
  });
});
