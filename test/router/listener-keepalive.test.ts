/**
 * Router listeners ping idle peers (WebSocket ping, RawSocket PING) and drop those that do not
 * answer: a frozen callee (SIGSTOP, its socket still open) loses its session, so its
 * registration goes and a call in flight to it gets an ERROR instead of hanging.
 *
 * Two phases, neither leaning on a sleep: alive, the callee reports each ping it gets (and its
 * transport answers it) and the test waits for two of them, then calls: pings were sent and
 * answering kept the session. Frozen, the call in flight must be refused. The pong timeout is
 * generous (a live callee on a loaded machine answers well within it); CALL_WAIT bounds the drop.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Router } from '../../runtime/router/router.js';
import { ApplicationError } from '../../runtime/wamp/application-error.js';
import { joinSession } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/callee-child.ts', import.meta.url));
const KEEPALIVE = { interval: 100, timeout: 3_000 };
/** How long a call may take to be answered or refused here (a bound: without keepalive it hangs). */
const CALL_WAIT = 20_000;
/** A bound on waiting for the pings the alive phase needs. */
const PING_WAIT = 20_000;

interface Callee {
  child: ChildProcess;
  /** Resolves once the callee has reported `count` pings in all; rejects after PING_WAIT. */
  pinged(count: number): Promise<void>;
}

function startCallee(url: string, procedure: string): Promise<Callee> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, procedure], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const pings = (): number => out.split('\n').filter((line) => line === 'ping').length;
  const pinged = (count: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pings() < count) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`the callee reported ${pings()} of ${count} pings within ${PING_WAIT} ms: ${out.slice(-300)}`));
      }, PING_WAIT);
      const finish = (): void => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
      };
      child.stdout!.on('data', check);
      check();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`callee did not register: ${out}`)), 30_000);
    const registered = (): void => {
      if (!out.includes('registered')) return;
      clearTimeout(timer);
      child.stdout!.off('data', registered);
      resolve({ child, pinged });
    };
    child.stdout!.on('data', registered);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`callee exited with ${code}: ${out}`));
    });
  });
}

async function stopCallee(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGCONT');
  child.kill('SIGKILL');
  await exited;
}

/** The call's outcome: its result, the ERROR's URI, or 'hung' when nothing came within CALL_WAIT. */
async function outcome(call: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      call.then(
        (result) => ({ result }),
        (error: unknown) => ({ error: ApplicationError.is(error) ? error.error : String(error) }),
      ),
      new Promise((resolve) => (timer = setTimeout(() => resolve('hung'), CALL_WAIT))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('listener keepalive', () => {
  for (const kind of ['websocket', 'rawsocket'] as const) {
    test(`a frozen callee over ${kind} is dropped: its call in flight gets an ERROR and its registration goes`, async () => {
      const router = new Router({
        realms: ['realm1'],
        listeners: [{ type: 'websocket', port: 0, rawsocket: true, keepalive: KEEPALIVE }],
      });
      const urls = await router.start();
      const url = urls.find((u) => u.startsWith(kind === 'websocket' ? 'ws://' : 'rs://'))!;
      const procedure = `k.frozen.${kind}`;
      const { child: callee, pinged } = await startCallee(url, procedure);
      const { session: caller } = await joinSession(router);
      try {
        assert.deepEqual(await outcome(caller.call(procedure)), { result: 'answered' }, 'answered while alive');
        // Phase 1: the router pings the idle callee, which answers: it stays.
        await pinged(2);
        assert.deepEqual(await outcome(caller.call(procedure)), { result: 'answered' }, 'still there after answering pings');
        // Phase 2: frozen, it answers nothing.
        callee.kill('SIGSTOP');
        assert.deepEqual(await outcome(caller.call(procedure)), { error: 'wamp.error.canceled' }, 'the call in flight is answered with an ERROR');
        assert.deepEqual(await outcome(caller.call(procedure)), { error: 'wamp.error.no_such_procedure' }, 'the registration is gone');
      } finally {
        await stopCallee(callee);
        caller.disconnect();
        await router.close(100);
      }
    });
  }
});
