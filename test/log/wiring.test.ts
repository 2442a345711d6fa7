// Where the debug switch is wired in: quiet by default, and WAMPKIT_DEBUG shows the router's
// listeners, joins and leaves, ABORTs, WebSocket handshakes, and (at trace) every WAMP message.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { configureLogging } from '../../runtime/log.js';
import { describeMessage } from '../../runtime/wamp/session-wire.js';
import { MessageType } from '../../runtime/wamp/message-types.js';
import { Router } from '../../runtime/router/router.js';
import { createMemoryPair } from '../../runtime/transports/memory.js';
import { ApplicationSession, type CloseDetails } from '../../runtime/wamp/session.js';
import { ticket } from '../../runtime/auth/ticket.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/join-call-leave.ts', import.meta.url));

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the join/call/leave fixture with WAMPKIT_DEBUG set to `spec` (undefined: unset). */
function runFixture(spec: string | undefined): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env['WAMPKIT_DEBUG'];
  if (spec !== undefined) env['WAMPKIT_DEBUG'] = spec;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function capture(spec: string): string[] {
  const lines: string[] = [];
  configureLogging(spec, { sink: (line) => lines.push(line) });
  return lines;
}

describe('debug logging wired in', () => {
  afterEach(() => configureLogging(undefined));

  test('join, call, leave over a real router and WebSocket: silent unless switched on, then by area and level', async () => {
    const [quiet, router, trace, socket, invalid] = await Promise.all([
      runFixture(undefined), runFixture('router'), runFixture('wamp:trace'), runFixture('websocket'), runFixture('router:loud!'),
    ]);
    for (const run of [quiet, router, trace, socket, invalid]) assert.equal(run.code, 0, run.stderr);
    for (const run of [quiet, router, trace, socket, invalid]) assert.equal(run.stdout, 'done\n');

    assert.equal(quiet.stderr, '', 'WAMPKIT_DEBUG unset must write nothing to stderr');

    const routerLines = router.stderr.trimEnd().split('\n');
    assert.ok(routerLines.every((l) => l.startsWith('wampkit:router ')), router.stderr);
    assert.match(routerLines[0] ?? '', /^wampkit:router info listening on ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    assert.ok(routerLines.some((l) => /^wampkit:router debug HELLO from tcp:127\.0\.0\.1:\d+ for realm realm1: session \d+, authmethods \["anonymous"\]/.test(l)), router.stderr);
    assert.ok(routerLines.some((l) => /^wampkit:router info session \d+ joined realm realm1 from tcp:127\.0\.0\.1:\d+ \(authid \S+, authrole anonymous, authmethod anonymous\)$/.test(l)), router.stderr);
    assert.ok(routerLines.some((l) => /^wampkit:router info session \d+ left realm realm1 \(authid \S+, authrole anonymous\): wamp\.close\.normal$/.test(l)), router.stderr);
    assert.ok(!routerLines.some((l) => / trace /.test(l)), 'router alone stops at debug');

    const traced = trace.stderr.trimEnd().split('\n');
    assert.ok(traced.every((l) => l.startsWith('wampkit:wamp')), trace.stderr);
    for (const expected of [/^wampkit:wamp trace out HELLO \["realm1",/, /^wampkit:wamp trace in WELCOME \[\d+,/, /^wampkit:wamp trace out CALL \[\d+,\{\},"com\.example\.add",\[2,3\]\]$/,
      /^wampkit:wamp trace in INVOCATION \[/, /^wampkit:wamp trace in RESULT \[\d+,\{\},\[5\]\]$/, /^wampkit:wamp trace out GOODBYE \[\{\},"wamp\.close\.normal"\]$/,
      /^wampkit:wamp debug joined realm realm1 as session \d+/]) {
      assert.ok(traced.some((l) => expected.test(l)), `${expected} in\n${trace.stderr}`);
    }

    assert.match(socket.stderr, /^wampkit:websocket debug connecting to ws:\/\/127\.0\.0\.1:\d+\/ws offering wamp\.2\.json$/m);
    assert.match(socket.stderr, /^wampkit:websocket debug accepted WebSocket from tcp:127\.0\.0\.1:\d+: subprotocol wamp\.2\.json, extensions /m);

    assert.equal(invalid.stderr, 'wampkit: WAMPKIT_DEBUG: "router:loud!" is not an area (like router) or area:level (levels: off, error, warn, info, debug, trace); debug logging stays off\n');
  });

  test('an ABORT is a warning naming the reason; a refused handshake is info with its HTTP status', async () => {
    const lines = capture('router:info');
    const router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', host: '127.0.0.1', port: 0 }] });
    const [address] = await router.start();
    try {
      const [client, server] = createMemoryPair();
      router.attach(server);
      const session = new ApplicationSession({ realm: 'nowhere' });
      const left = new Promise<CloseDetails>((resolve) => session.once('leave', resolve));
      session.attach(client);
      assert.equal((await left).reason, 'wamp.error.no_such_realm');
      assert.ok(lines.includes("wampkit:router warn ABORT session (not joined) from memory: wamp.error.no_such_realm: no realm named 'nowhere' exists on this router"), lines.join('\n'));

      // A WebSocket upgrade without a WAMP subprotocol is refused (400) by the listener.
      const url = new URL(address as string);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(url.port), '127.0.0.1', () => {
          socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
        });
        let text = '';
        socket.setEncoding('utf8').on('data', (s: string) => (text += s));
        socket.once('error', reject);
        socket.once('close', () => resolve(text));
        setTimeout(() => socket.destroy(), 5000).unref();
      });
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.ok(lines.some((l) => /^wampkit:router info refused WebSocket handshake from tcp:127\.0\.0\.1:\d+: HTTP 400 offer one of the WAMP subprotocols /.test(l)), lines.join('\n'));
    } finally {
      await router.close();
    }
  });

  test('authentication steps are logged at debug without the secret, even at trace', async () => {
    const lines = capture('router:trace,wamp:trace');
    const router = new Router({
      realms: [{ name: 'realm1', auth: { ticket: { type: 'static', principals: { joe: { ticket: 'hunter2-secret', role: 'user' } } } } }],
    });
    try {
      const [client, server] = createMemoryPair();
      router.attach(server);
      const session = new ApplicationSession({ realm: 'realm1', authenticators: [ticket({ authid: 'joe', ticket: 'hunter2-secret' })] });
      const joined = new Promise((resolve) => session.once('join', resolve));
      session.attach(client);
      await joined;
      await session.leave();
      assert.ok(lines.some((l) => /^wampkit:router debug session \d+: CHALLENGE ticket$/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /^wampkit:router debug session \d+: authenticated by ticket as authid joe, authrole user$/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /^wampkit:wamp trace out AUTHENTICATE \["\(signature hidden\)",\{\}\]$/.test(l)), lines.join('\n'));
      assert.ok(!lines.some((l) => l.includes('hunter2')), 'the ticket must never be logged');
    } finally {
      await router.close();
    }
  });

  test('describeMessage: name, fields, binary as a size, long messages cut', () => {
    assert.equal(describeMessage([MessageType.CALL, 7, {}, 'a.b', [1]]), 'CALL [7,{},"a.b",[1]]');
    assert.equal(describeMessage([MessageType.AUTHENTICATE, 'secret', { nonce: 'n' }]), 'AUTHENTICATE ["(signature hidden)",{"nonce":"n"}]');
    assert.equal(describeMessage([MessageType.EVENT, 1, 2, {}, [new Uint8Array(3)]]), 'EVENT [1,2,{},["<3 bytes>"]]');
    assert.equal(describeMessage([999]), 'type 999 []');
    const long = describeMessage([MessageType.PUBLISH, 1, {}, 't', ['x'.repeat(1000)]]);
    assert.ok(long.endsWith('…') && long.length < 420, long);
  });
});
