/**
 * Router listeners ping idle peers (WebSocket ping, RawSocket PING) and drop those that do not
 * answer: a frozen callee (SIGSTOP, its socket still open) loses its session, so its
 * registration goes and a call in flight to it gets an ERROR instead of hanging.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Router } from '../../runtime/router/router.js';
import { ApplicationError } from '../../runtime/wamp/application-error.js';
import { joinSession, delay } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/callee-child.ts', import.meta.url));
/** How long a call may take to be answered or refused here (a bound: without keepalive it hangs). */
const CALL_WAIT = 10_000;

function startCallee(url: string, procedure: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, procedure], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`callee did not register: ${out}`)), 30_000);
    child.stdout!.on('data', () => {
      if (!out.includes('registered')) return;
      clearTimeout(timer);
      resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`callee exited with ${code}: ${out}`)));
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
  return Promise.race([
    call.then(
      (result) => ({ result }),
      (error: unknown) => ({ error: ApplicationError.is(error) ? error.error : String(error) }),
    ),
    delay(CALL_WAIT).then(() => 'hung'),
  ]);
}

describe('listener keepalive', () => {
  for (const kind of ['websocket', 'rawsocket'] as const) {
    test(`a frozen callee over ${kind} is dropped: its call in flight gets an ERROR and its registration goes`, async () => {
      const router = new Router({
        realms: ['realm1'],
        listeners: [{ type: 'websocket', port: 0, rawsocket: true, keepalive: { interval: 200, timeout: 400 } }],
      });
      const urls = await router.start();
      const url = urls.find((u) => u.startsWith(kind === 'websocket' ? 'ws://' : 'rs://'))!;
      const procedure = `k.frozen.${kind}`;
      const callee = await startCallee(url, procedure);
      const { session: caller } = await joinSession(router);
      try {
        assert.deepEqual(await outcome(caller.call(procedure)), { result: 'answered' }, 'answered while alive');
        // Longer than the interval: a callee that answers pings stays.
        await delay(800);
        assert.deepEqual(await outcome(caller.call(procedure)), { result: 'answered' }, 'still there after idle intervals');
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
