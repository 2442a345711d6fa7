// Where the debug switch is wired in: quiet by default, and WAMPKIT_DEBUG shows the router's
// listeners, joins and leaves, ABORTs, WebSocket handshakes, and (at trace) every WAMP message.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configureLogging } from '../../runtime/log.js';
import { describeMessage } from '../../runtime/wamp/message-trace.js';
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
    const child = spawn(process.execPath, ['--conditions=@wampkit/source', '--import', 'tsx', fixture], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** The ```text blocks of docs/logging.md, as lines. */
function docBlocks(): string[][] {
  const page = readFileSync(join(root, 'docs/logging.md'), 'utf8');
  return [...page.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trimEnd().split('\n'));
}

/** Lines of one run with what changes between runs (ports, session IDs, authids) replaced. */
function normalize(line: string): string {
  return line.replace(/(authid"?:? ?"?)[0-9a-f]{12}/g, '$1X').replace(/\d+/g, 'N');
}

/** Every line of the doc block starting with `first` occurs (normalized; `…` cuts) in `actual`. */
function assertDocMatches(first: string, actual: string): void {
  const block = docBlocks().find((b) => (b[0] ?? '').startsWith(first));
  assert.ok(block !== undefined, `docs/logging.md has a text block starting ${first}`);
  const lines = actual.trimEnd().split('\n').map(normalize);
  for (const docLine of block) {
    const cut = docLine.endsWith('…') ? normalize(docLine.slice(0, -1)) : null;
    const found = cut === null ? lines.includes(normalize(docLine)) : lines.some((l) => l.startsWith(cut));
    assert.ok(found, `docs/logging.md line not produced by the code:\n${docLine}\nactual:\n${actual}`);
  }
  assert.equal(block.length, lines.length, `docs/logging.md shows all ${lines.length} lines of ${first}`);
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

    // docs/logging.md shows these runs' output as it is.
    assertDocMatches('wampkit:router info listening on', router.stderr);
    assertDocMatches('wampkit:wamp debug joining realm', trace.stderr);
    assertDocMatches('wampkit:websocket debug connecting', socket.stderr);
    assertDocMatches('wampkit: WAMPKIT_DEBUG:', invalid.stderr);
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
      const abortLine = "wampkit:router warn ABORT session (not joined) from memory: wamp.error.no_such_realm: no realm named 'nowhere' exists on this router";
      assert.ok(lines.includes(abortLine), lines.join('\n'));
      assert.ok(docBlocks().some((b) => b.length === 1 && b[0] === abortLine), 'docs/logging.md shows the ABORT line');

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

  test('docs/logging.md names every logging area the runtime uses, and the docs index links it', () => {
    const used = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith('.ts')) for (const m of readFileSync(full, 'utf8').matchAll(/\blogger\('([a-z:-]+)'\)/g)) used.add(m[1] ?? '');
      }
    };
    walk(join(root, 'runtime'));
    const page = readFileSync(join(root, 'docs/logging.md'), 'utf8');
    const documented = new Set([...page.matchAll(/^\| `([a-z:-]+)` \| (?:error|warn|info|debug|trace) \|/gm)].map((m) => m[1]));
    assert.ok(used.size >= 4, [...used].join(', '));
    for (const area of used) assert.ok(documented.has(area), `area ${area} is used in runtime/ but not in docs/logging.md's table`);
    for (const area of documented) assert.ok(used.has(area as string), `docs/logging.md documents area ${area}, which no runtime code logs to`);
    assert.match(readFileSync(join(root, 'docs/README.md'), 'utf8'), /\[logging\.md\]\(logging\.md\)/);
  });

  test('a port in use is an error that says what to do', async () => {
    const first = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', host: '127.0.0.1', port: 0 }] });
    const [address] = await first.start();
    const second = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', host: '127.0.0.1', port: Number(new URL(address as string).port) }] });
    try {
      await assert.rejects(second.start(), { code: 'ROUTER_LISTEN_FAILED', message: /EADDRINUSE.*; another process uses that port: stop it or choose another port \(0 picks a free one\)$/ });
    } finally {
      await second.close(0);
      await first.close(0);
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
