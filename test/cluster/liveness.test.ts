// Liveness by heartbeats (runtime/router/cluster/liveness.ts) on a mocked clock and timers: an
// incarnation silent past deadAfterMs is dead, once; one heard from is not; a node whose own
// timer ran late, or whose heartbeats were stopped (cut off from NATS, or counted dead) and
// start again, counts no peer dead for the silence it did not listen through; a heartbeat counts
// from the arrival time reported with it (the heartbeat thread reads the clock on receipt).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Liveness } from '../../runtime/router/cluster/liveness.js';

const HEARTBEAT_MS = 100;
const DEAD_AFTER_MS = 500;

function setup(t: TestContext) {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let now = 1_000_000;
  const dead: string[] = [];
  let beats = 0;
  const liveness = new Liveness(() => 'self/1', { heartbeatMs: HEARTBEAT_MS, deadAfterMs: DEAD_AFTER_MS, now: () => now }, {
    beat: () => void beats++,
    dead: (node, incarnation) => void dead.push(`${node}/${incarnation}`),
  });
  /** Advances the clock and the timers together, one heartbeat at a time. */
  const advance = (ms: number): void => {
    for (let left = ms; left > 0; left -= HEARTBEAT_MS) {
      now += Math.min(HEARTBEAT_MS, left);
      t.mock.timers.tick(Math.min(HEARTBEAT_MS, left));
    }
  };
  /** Moves the clock without the timers firing (this process stalled, or its timer was stopped). */
  const jump = (ms: number): void => void (now += ms);
  return { liveness, dead, advance, jump, beats: () => beats, clock: () => now };
}

test('a silent incarnation is counted dead once after deadAfterMs; one heard from stays alive', (t) => {
  const { liveness, dead, advance, beats } = setup(t);
  liveness.start();
  liveness.heard('a', 'x');
  liveness.heard('b', 'y');
  for (let i = 0; i < 8; i++) {
    advance(HEARTBEAT_MS);
    liveness.heard('b', 'y');
  }
  assert.deepEqual(dead, ['a/x']);
  assert.ok(liveness.isDead('a', 'x'));
  assert.ok(!liveness.isDead('b', 'y'));
  liveness.heard('a', 'x');
  advance(DEAD_AFTER_MS * 2);
  assert.deepEqual(dead, ['a/x', 'b/y'], 'each once; a dead incarnation heard again stays dead');
  assert.ok(beats() > 10, 'this node beats every heartbeat');
  liveness.stop();
});

test('a node that stalled (its timer ran late) counts no one dead for that silence', (t) => {
  const { liveness, dead, advance, jump } = setup(t);
  liveness.start();
  liveness.heard('a', 'x');
  advance(HEARTBEAT_MS);
  jump(DEAD_AFTER_MS * 3);
  advance(HEARTBEAT_MS);
  assert.deepEqual(dead, []);
  liveness.heard('a', 'x');
  advance(DEAD_AFTER_MS - HEARTBEAT_MS);
  assert.deepEqual(dead, []);
  liveness.stop();
});

test('heartbeats stopped and started again (a node back from isolation): every peer gets a whole window from the restart', (t) => {
  const { liveness, dead, advance, jump } = setup(t);
  liveness.start();
  liveness.heard('a', 'x');
  liveness.known('b', 'y');
  advance(HEARTBEAT_MS);
  liveness.stop();
  // Cut off for longer than deadAfterMs: nothing heard, no timer running.
  jump(DEAD_AFTER_MS * 4);
  liveness.start();
  advance(DEAD_AFTER_MS - HEARTBEAT_MS);
  assert.deepEqual(dead, [], 'no peer counted dead before it had deadAfterMs to be heard after the restart');
  liveness.heard('a', 'x');
  advance(DEAD_AFTER_MS);
  assert.deepEqual(dead, ['b/y'], 'a peer still silent after the window is dead');
  liveness.stop();
});

test('a heartbeat reported with its arrival time counts from then: a late report of an old arrival neither moves the window back nor keeps a silent peer alive', (t) => {
  const { liveness, dead, advance, clock } = setup(t);
  liveness.start();
  liveness.heard('a', 'x');
  liveness.heard('b', 'y');
  advance(HEARTBEAT_MS * 2);
  const earlier = clock();
  advance(HEARTBEAT_MS * 2);
  liveness.heard('a', 'x', clock());
  // A report of b's heartbeat that waited in a queue: it arrived long ago.
  liveness.heard('b', 'y', earlier - DEAD_AFTER_MS);
  // ...and a's older report, delivered after the newer one, does not move a's window back.
  liveness.heard('a', 'x', earlier);
  // Past a window from `earlier`, within one from a's latest report.
  advance(DEAD_AFTER_MS - HEARTBEAT_MS);
  assert.deepEqual(dead, ['b/y'], 'b was last heard at its first heartbeat; a counts from its latest report');
  liveness.heard('a', 'x', clock());
  advance(DEAD_AFTER_MS - HEARTBEAT_MS);
  assert.deepEqual(dead, ['b/y']);
  liveness.stop();
});
