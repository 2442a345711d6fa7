// The shared part of the Advanced Profile interop tests: a router realm with ticket, WAMP-CRA
// and Cryptosign authentication, our own client session, and a line-driven peer process
// (test/interop/peers/advanced-*) that opens one session per authmethod and runs commands.
import { randomBytes } from 'node:crypto';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../../runtime/router/router.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import { ApplicationError, Result } from '../../runtime/wamp/application-error.js';
import { cryptosignPublicKey } from '../../runtime/auth/index.js';
import { PeerProcess } from './peer-process.js';
import { withTimeout, delay } from '../router/helpers.js';

export const REALM = 'realm.advanced';
/** The peer's session names, in the order it opens them; 'bad' must be refused. */
export type PeerSession = 'ticket' | 'wampcra' | 'cryptosign';

export interface PeerLine {
  ev?: string;
  id?: number;
  ok?: boolean;
  s?: string;
  [key: string]: unknown;
}

export interface Credentials {
  ticket: string;
  craSecret: string;
  seed: string;
}

/** Fresh credentials per run (nothing secret is fixed in the repository). */
export function makeCredentials(): Credentials {
  return { ticket: randomBytes(12).toString('hex'), craSecret: randomBytes(12).toString('hex'), seed: randomBytes(32).toString('hex') };
}

export function makeRouter(c: Credentials, rawsocket = false): Router {
  return new Router({
    realms: [{
      name: REALM,
      auth: {
        anonymous: { type: 'static', role: 'guest' },
        ticket: { type: 'static', principals: { joe: { ticket: c.ticket, role: 'user' } } },
        wampcra: { type: 'static', users: { peter: { secret: c.craSecret, role: 'crauser' } } },
        cryptosign: { type: 'static', principals: { device1: { authorized_keys: [cryptosignPublicKey(c.seed)], role: 'device' } } },
      },
    }],
    listeners: [{ type: 'websocket', port: 0, ...(rawsocket ? { rawsocket: true } : {}) }],
  });
}

export async function joinOurs(url: string): Promise<ApplicationSession> {
  const ours = new ApplicationSession({ realm: REALM });
  const joined = new Promise<SessionDetails>((resolve) => ours.once('join', resolve));
  ours.attach(await connectWebSocketTransport(url, { serializers: ['json'] }));
  await withTimeout(joined, 15_000, 'our session joins');
  return ours;
}

/** Drives a peer process: JSON commands in, JSON lines out. */
export class PeerDriver {
  readonly process: PeerProcess;
  #next = 1;
  #read = 0;
  readonly lines: PeerLine[] = [];

  constructor(command: string, args: string[]) {
    this.process = new PeerProcess(command, args);
  }

  #parse(): void {
    const out = this.process.out;
    for (let nl = out.indexOf('\n', this.#read); nl >= 0; nl = out.indexOf('\n', this.#read)) {
      const line = out.slice(this.#read, nl).trim();
      this.#read = nl + 1;
      if (line.startsWith('{')) this.lines.push(JSON.parse(line) as PeerLine);
    }
  }

  /** The first line satisfying `match` (already seen or yet to come), bounded in time. */
  async waitLine(match: (l: PeerLine) => boolean, what: string, timeoutMs = 30_000): Promise<PeerLine> {
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; round < 100_000; round++) {
      this.#parse();
      const hit = this.lines.find(match);
      if (hit !== undefined) return hit;
      const failure = this.lines.find((l) => l.ev === 'error');
      if (failure !== undefined) throw new Error(`peer failed: ${String(failure['message'])}\nstderr: ${this.process.err.slice(-2000)}`);
      if (this.process.child.exitCode !== null) throw new Error(`peer exited (${this.process.child.exitCode}) waiting for ${what}\nstdout: ${this.process.out.slice(-2000)}\nstderr: ${this.process.err.slice(-2000)}`);
      if (Date.now() > deadline) break;
      await delay(5);
    }
    throw new Error(`timed out waiting for ${what}\nstdout: ${this.process.out.slice(-2000)}\nstderr: ${this.process.err.slice(-2000)}`);
  }

  /** Sends one command and waits for its answer; rejects with the peer's error unless `allowError`. */
  async run(cmd: Record<string, unknown>, allowError = false): Promise<PeerLine> {
    const id = this.#next++;
    this.process.child.stdin!.write(`${JSON.stringify({ ...cmd, id })}\n`);
    const reply = await this.waitLine((l) => l.id === id, `${String(cmd['op'])} ${JSON.stringify(cmd)}`);
    if (reply.ok !== true && !allowError) throw new Error(`peer ${String(cmd['op'])} failed: ${String(reply['error'])}`);
    return reply;
  }

  /** Events the peer's session `s` received on its subscription to `sub`. */
  events(s: PeerSession, sub: string): PeerLine[] {
    this.#parse();
    return this.lines.filter((l) => l.ev === 'event' && l.s === s && l['sub'] === sub);
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}

/** Polls `check` until true, bounded (no timing assertions: only a cap on waiting). */
export async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
    if (check()) return;
    await delay(5);
  }
  throw new Error(`timed out: ${what}`);
}

/**
 * The Advanced Profile scenarios every peer runs against our router (inside a describe):
 * authentication per method, progressive call results both ways, pattern subscriptions and
 * registrations, publisher exclusion, subscriber black/whitelisting both ways.
 * `spawn(url, credentials)` starts the peer process.
 */
export interface PeerTraits {
  /**
   * Whether the peer's callee answers an INTERRUPT in mode kill. Autobahn|Python 22.7 on
   * asyncio cancels the endpoint but never sends the ERROR, so a kill-canceled call to it
   * would wait for ever: with it we cancel with killnowait.
   */
  answersKill: boolean;
  /** Whether the peer's callee stops its endpoint on INTERRUPT (Autobahn|JS callees do not announce call_canceling). */
  handlesInterrupt: boolean;
}

export function advancedScenarios(prefix: string, skip: string | false, traits: PeerTraits, spawn: (url: string, c: Credentials) => PeerDriver): void {
  let router: Router;
  let ours: ApplicationSession;
  let peer: PeerDriver;
  const ids: Partial<Record<PeerSession, number>> = {};

  before(async () => {
    if (skip !== false) return;
    const credentials = makeCredentials();
    router = makeRouter(credentials);
    const [url] = (await router.start()) as [string];
    ours = await joinOurs(url);
    peer = spawn(url, credentials);
    await peer.waitLine((l) => l.ev === 'ready', 'peer ready', 60_000);
    for (const l of peer.lines) if (l.ev === 'joined') ids[l.s as PeerSession] = l['session'] as number;
  });

  after(async () => {
    if (skip !== false) return;
    await peer?.stop();
    await ours?.leave().catch(() => undefined);
    ours?.disconnect();
    await router?.close(200);
  });

  test('ticket, WAMP-CRA and Cryptosign sessions join with the identity the router assigned; a wrong ticket is refused', { skip }, () => {
    const joined = Object.fromEntries(peer.lines.filter((l) => l.ev === 'joined').map((l) => [l.s, [l['authid'], l['authrole'], l['authmethod']]]));
    assert.deepEqual(joined, {
      ticket: ['joe', 'user', 'ticket'],
      wampcra: ['peter', 'crauser', 'wampcra'],
      cryptosign: ['device1', 'device', 'cryptosign'],
    });
    const refused = peer.lines.find((l) => l.ev === 'refused');
    assert.equal(refused?.s, 'bad');
    assert.match(String(refused?.['reason']), /wamp\.error\.(authentication_failed|not_authorized)/);
  });

  test('progressive call results: the peer calls our callee with receive_progress', { skip }, async () => {
    await ours.register(`${prefix}.ours.progress`, (args, _kwargs, details) => {
      details.progress?.([1]);
      details.progress?.([2]);
      return new Result([3, args[0]]);
    });
    const reply = await peer.run({ op: 'call', s: 'ticket', procedure: `${prefix}.ours.progress`, args: ['x'], options: { receive_progress: true } });
    assert.deepEqual(reply['progress'], [[1], [2]]);
    assert.deepEqual(reply['args'], [3, 'x']);
  });

  test('progressive call results: we call the callee of the peer with onProgress', { skip }, async () => {
    await peer.run({ op: 'register', s: 'wampcra', procedure: `${prefix}.peer.progress`, behaviour: 'progress' });
    const progress: unknown[] = [];
    const result = await withTimeout(ours.callResult(`${prefix}.peer.progress`, [], {}, { onProgress: (args) => void progress.push(args) }), 15_000, 'call');
    assert.deepEqual(progress, [[1], [2]]);
    assert.deepEqual(result.args, [3]);
  });

  test('pattern-based subscriptions (prefix, wildcard) with the real topic in details; pattern registrations with details.procedure', { skip }, async () => {
    await peer.run({ op: 'subscribe', s: 'ticket', topic: `${prefix}.pat`, options: { match: 'prefix' } });
    await peer.run({ op: 'subscribe', s: 'ticket', topic: `${prefix}..wild`, options: { match: 'wildcard' } });
    await ours.publish(`${prefix}.pat.a.b`, ['p1'], {}, { acknowledge: true });
    await ours.publish(`${prefix}.x.wild`, ['w1'], {}, { acknowledge: true });
    await ours.publish(`${prefix}.x.tame`, ['none'], {}, { acknowledge: true });
    await ours.publish(`${prefix}.pat`, ['p2'], {}, { acknowledge: true });
    await until(() => peer.events('ticket', `${prefix}.pat`).length >= 2 && peer.events('ticket', `${prefix}..wild`).length >= 1, 'pattern events');
    assert.deepEqual(peer.events('ticket', `${prefix}.pat`).map((e) => [e['topic'], e['args']]), [[`${prefix}.pat.a.b`, ['p1']], [`${prefix}.pat`, ['p2']]]);
    assert.deepEqual(peer.events('ticket', `${prefix}..wild`).map((e) => [e['topic'], e['args']]), [[`${prefix}.x.wild`, ['w1']]]);

    await peer.run({ op: 'register', s: 'ticket', procedure: `${prefix}.proc`, behaviour: 'details', options: { match: 'prefix' } });
    await peer.run({ op: 'register', s: 'ticket', procedure: `${prefix}..who`, behaviour: 'details', options: { match: 'wildcard' } });
    const viaPrefix = await ours.callResult(`${prefix}.proc.deep.er`);
    assert.equal(viaPrefix.kwargs['procedure'], `${prefix}.proc.deep.er`);
    const viaWildcard = await ours.callResult(`${prefix}.any.who`, [], {}, { discloseMe: true });
    assert.equal(viaWildcard.kwargs['procedure'], `${prefix}.any.who`);
    assert.equal(viaWildcard.kwargs['caller'], ours.id);
  });

  test('publisher exclusion: the peer receives its own event only with exclude_me=false', { skip }, async () => {
    const topic = `${prefix}.excl`;
    const oursGot: unknown[] = [];
    await ours.subscribe(topic, (args) => void oursGot.push(args[0]));
    await peer.run({ op: 'subscribe', s: 'ticket', topic });
    await peer.run({ op: 'publish', s: 'ticket', topic, args: ['default'] });
    await peer.run({ op: 'publish', s: 'ticket', topic, args: ['included'], options: { exclude_me: false } });
    await until(() => peer.events('ticket', topic).length >= 1 && oursGot.length >= 2, 'exclusion events');
    // Events from one publisher arrive in order: had 'default' been delivered, it would be first.
    assert.deepEqual(peer.events('ticket', topic).map((e) => e['args']), [['included']]);
    assert.deepEqual(oursGot, ['default', 'included']);
  });

  test('subscriber black/whitelisting by session ID, authid and authrole (we publish, three sessions of the peer receive)', { skip }, async () => {
    const topic = `${prefix}.filter`;
    for (const s of ['ticket', 'wampcra', 'cryptosign'] as const) await peer.run({ op: 'subscribe', s, topic });
    const publish = (tag: string, options: Parameters<ApplicationSession['publish']>[3]) => ours.publish(topic, [tag], {}, { acknowledge: true, ...options });
    await publish('a', { exclude: [ids.cryptosign!] });
    await publish('b', { eligibleAuthrole: ['device'] });
    await publish('c', { excludeAuthid: ['joe'] });
    await publish('d', { eligible: [ids.ticket!] });
    await publish('e', { eligibleAuthid: ['peter'], excludeAuthrole: ['crauser'] });
    await publish('end', {});
    const got = (s: PeerSession) => peer.events(s, topic).map((e) => (e['args'] as string[])[0]);
    await until(() => (['ticket', 'wampcra', 'cryptosign'] as const).every((s) => got(s).includes('end')), 'filter events');
    assert.deepEqual(got('ticket'), ['a', 'd', 'end']);
    assert.deepEqual(got('wampcra'), ['a', 'c', 'end']);
    assert.deepEqual(got('cryptosign'), ['b', 'c', 'end']);
  });

  test('event retention: retain on publish and get_retained on subscribe, both ways, with details.retained', { skip }, async () => {
    await ours.publish(`${prefix}.ret`, ['kept'], {}, { acknowledge: true, retain: true });
    await peer.run({ op: 'subscribe', s: 'wampcra', topic: `${prefix}.ret`, options: { get_retained: true } });
    await until(() => peer.events('wampcra', `${prefix}.ret`).length >= 1, 'retained event at the peer');
    assert.deepEqual(peer.events('wampcra', `${prefix}.ret`).map((e) => [e['args'], e['retained']]), [[['kept'], true]]);

    await peer.run({ op: 'publish', s: 'ticket', topic: `${prefix}.ret2`, args: ['peer-kept'], options: { retain: true } });
    const got: Array<[unknown, boolean | undefined]> = [];
    await ours.subscribe(`${prefix}.ret2`, (args, _kwargs, details) => void got.push([args[0], details.retained]), { getRetained: true });
    await until(() => got.length >= 1, 'retained event at ours');
    assert.deepEqual(got, [['peer-kept', true]]);
  });

  test('call timeout: the peer calls with timeout, the dealer answers wamp.error.timeout and interrupts our callee', { skip }, async () => {
    let interrupted: unknown = null;
    await ours.register(`${prefix}.ours.slow`, (_args, _kwargs, details) => new Promise((_resolve, reject) => {
      details.signal.addEventListener('abort', () => {
        interrupted = details.signal.reason;
        reject(details.signal.reason);
      });
    }));
    const reply = await peer.run({ op: 'call', s: 'ticket', procedure: `${prefix}.ours.slow`, options: { timeout: 100 } }, true);
    assert.equal(reply.ok, false);
    assert.equal(reply['error'], 'wamp.error.timeout');
    await until(() => interrupted !== null, 'our callee interrupted');
  });

  test('call canceling: the peer cancels its call to our callee, whose signal aborts; the call fails at the peer', { skip }, async () => {
    let invoked = false;
    let interrupted: unknown = null;
    await ours.register(`${prefix}.ours.cancelable`, (_args, _kwargs, details) => new Promise((_resolve, reject) => {
      invoked = true;
      details.signal.addEventListener('abort', () => {
        interrupted = details.signal.reason;
        reject(details.signal.reason);
      });
    }));
    const reply = peer.run({ op: 'call', s: 'ticket', procedure: `${prefix}.ours.cancelable`, tag: 'c1' }, true);
    await until(() => invoked, 'our callee invoked');
    await peer.run({ op: 'cancel', s: 'ticket', tag: 'c1', mode: 'kill' });
    assert.equal((await reply).ok, false);
    await until(() => interrupted !== null, 'our callee interrupted');
    assert.ok(ApplicationError.is(interrupted) && interrupted.error === 'wamp.error.canceled');
  });

  const cancelMode = traits.answersKill ? 'kill' : 'killnowait';
  test(`call canceling: we cancel (${cancelMode}) a call to the callee of the peer; the call rejects with our abort reason`, { skip }, async () => {
    const procedure = `${prefix}.peer.slow`;
    await peer.run({ op: 'register', s: 'cryptosign', procedure, behaviour: 'slow' });
    const controller = new AbortController();
    const call = ours.call(procedure, [], {}, { signal: controller.signal, cancelMode });
    await peer.waitLine((l) => l.ev === 'invoked' && l['procedure'] === procedure, 'peer invoked');
    const reason = new Error('stop');
    controller.abort(reason);
    await assert.rejects(withTimeout(call, 15_000, 'canceled call'), (e: unknown) => e === reason);
    if (traits.handlesInterrupt) await peer.waitLine((l) => l.ev === 'interrupted' && l['procedure'] === procedure, 'peer endpoint interrupted');
  });

  test('registration revocation via force_reregister, both ways: we are told when the peer takes ours over, calls reach the new callee, the revoked peer session keeps working', { skip }, async () => {
    const taken = `${prefix}.taken`;
    await peer.run({ op: 'register', s: 'ticket', procedure: taken, behaviour: 'details' });
    await ours.register(taken, () => 'ours', { forceReregister: true });
    assert.equal(await ours.call(taken), 'ours');

    const back = `${prefix}.taken.back`;
    const reg = await ours.register(back, () => 'ours');
    const revoked = new Promise<string | undefined>((resolve) => ours.once('registrationRevoked', (_r, why) => resolve(why)));
    await peer.run({ op: 'register', s: 'wampcra', procedure: back, behaviour: 'details', options: { force_reregister: true } });
    await withTimeout(revoked, 10_000, 'our registration revoked');
    assert.equal(reg.active, false);
    assert.equal((await ours.callResult(back)).kwargs['procedure'], back);
    // The peer's revoked session still works (it took UNREGISTERED with request 0 in its stride).
    const reply = await peer.run({ op: 'call', s: 'ticket', procedure: back });
    assert.equal((reply['kwargs'] as Record<string, unknown>)['procedure'], back);
  });

  test('subscriber black/whitelisting set by the peer as publisher, with identities the router assigned', { skip }, async () => {
    const topic = `${prefix}.filter2`;
    const oursGot: unknown[] = [];
    await ours.subscribe(topic, (args) => void oursGot.push(args[0]));
    for (const s of ['ticket', 'wampcra', 'cryptosign'] as const) await peer.run({ op: 'subscribe', s, topic });
    await peer.run({ op: 'publish', s: 'ticket', topic, args: ['roles'], options: { exclude_me: false, eligible_authrole: ['user', 'crauser'] } });
    await peer.run({ op: 'publish', s: 'cryptosign', topic, args: ['not-peter'], options: { exclude_authid: ['peter'] } });
    await peer.run({ op: 'publish', s: 'wampcra', topic, args: ['end'], options: { exclude_me: false } });
    const got = (s: PeerSession) => peer.events(s, topic).map((e) => (e['args'] as string[])[0]);
    await until(() => (['ticket', 'wampcra', 'cryptosign'] as const).every((s) => got(s).includes('end')) && oursGot.includes('end'), 'filter2 events');
    assert.deepEqual(new Set(got('ticket')), new Set(['roles', 'not-peter', 'end']));
    assert.deepEqual(new Set(got('wampcra')), new Set(['roles', 'end']));
    assert.deepEqual(new Set(got('cryptosign')), new Set(['end']));
    assert.deepEqual(new Set(oursGot), new Set(['not-peter', 'end']));
  });
}
