/**
 * An in-memory stand-in for a WAMP router and its sessions: call -> the registered endpoint
 * (exact, then longest prefix, then wildcard, as a dealer matches), publish -> matching
 * subscribers. Payloads are cloned (structuredClone keeps Uint8Array and bigint) so callers and
 * callees never share objects, as over a real wire.
 */
import { ApplicationError, Result } from 'wampkit';
import type {
  Args, CallOptions, CallResult, Endpoint, EventHandler, Kwargs, MatchPolicy, Publication, PublishOptions,
  Registration, RegisterOptions, Subscription, SubscribeOptions, WampSession,
} from 'wampkit';

interface Reg { id: number; uri: string; match: MatchPolicy; endpoint: Endpoint; options: RegisterOptions; active: boolean }
interface Sub { id: number; uri: string; match: MatchPolicy; handler: EventHandler; owner: FakeSession; active: boolean }

function matches(uri: string, pattern: string, match: MatchPolicy): boolean {
  if (match === 'exact') return uri === pattern;
  if (match === 'prefix') return uri === pattern || uri.startsWith(`${pattern}.`);
  const a = uri.split('.');
  const b = pattern.split('.');
  return a.length === b.length && b.every((p, i) => p === '' || p === a[i]);
}

export class FakeRouter {
  readonly registrations: Reg[] = [];
  readonly subscriptions: Sub[] = [];
  #ids = 0;
  nextId(): number { return ++this.#ids; }

  session(): FakeSession { return new FakeSession(this, this.nextId()); }

  find(uri: string): Reg | undefined {
    const live = this.registrations.filter((r) => r.active);
    return live.find((r) => r.match === 'exact' && r.uri === uri)
      ?? live.filter((r) => r.match === 'prefix' && matches(uri, r.uri, 'prefix')).sort((x, y) => y.uri.length - x.uri.length)[0]
      ?? live.find((r) => r.match === 'wildcard' && matches(uri, r.uri, 'wildcard'));
  }
}

export class FakeSession implements WampSession {
  readonly #router: FakeRouter;
  readonly id: number;
  readonly realm = 'realm1';
  readonly isOpen = true;
  /** Every publish, with its options, for assertions. */
  readonly published: { topic: string; args: Args; kwargs: Kwargs; options: PublishOptions }[] = [];

  constructor(router: FakeRouter, id: number) {
    this.#router = router;
    this.id = id;
  }

  async call(procedure: string, args?: Args, kwargs?: Kwargs, options?: CallOptions): Promise<unknown> {
    const r = await this.callResult(procedure, args, kwargs, options);
    return r.args.length === 1 && Object.keys(r.kwargs).length === 0 ? r.args[0] : new Result(r.args, r.kwargs);
  }

  async callResult(procedure: string, args: Args = [], kwargs: Kwargs = {}, options: CallOptions = {}): Promise<CallResult> {
    const reg = this.#router.find(procedure);
    if (reg === undefined) throw new ApplicationError('wamp.error.no_such_procedure', [procedure]);
    const interrupt = new AbortController();
    const onProgress = options.onProgress;
    const details = {
      procedure, registration: reg.id, signal: interrupt.signal,
      ...(reg.options.discloseCaller ? { caller: this.id } : {}),
      ...(onProgress ? { progress: (a: Args = [], k: Kwargs = {}) => onProgress(structuredClone(a), structuredClone(k)) } : {}),
    };
    const run = (async () => {
      try {
        const value = await reg.endpoint(structuredClone(args), structuredClone(kwargs), details);
        return structuredClone(Result.is(value) ? { args: value.args, kwargs: value.kwargs } : { args: [value], kwargs: {} });
      } catch (error) {
        if (ApplicationError.is(error)) throw new ApplicationError(error.error, structuredClone(error.args), structuredClone(error.kwargs));
        throw new ApplicationError('wamp.error.runtime_error', [String(error)]);
      }
    })();
    if (options.signal === undefined) return run;
    const signal = options.signal;
    return new Promise<CallResult>((resolve, reject) => {
      const abort = (): void => { interrupt.abort(); reject(signal.reason); };
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      run.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
    });
  }

  async register(procedure: string, endpoint: Endpoint, options: RegisterOptions = {}): Promise<Registration> {
    const reg: Reg = { id: this.#router.nextId(), uri: procedure, match: options.match ?? 'exact', endpoint, options, active: true };
    this.#router.registrations.push(reg);
    return { id: reg.id, procedure, get active() { return reg.active; }, unregister: async () => { reg.active = false; } };
  }

  async publish(topic: string, args: Args = [], kwargs: Kwargs = {}, options: PublishOptions = {}): Promise<Publication | undefined> {
    this.published.push({ topic, args, kwargs, options });
    const publication = this.#router.nextId();
    for (const sub of this.#router.subscriptions) {
      if (!sub.active || !matches(topic, sub.uri, sub.match)) continue;
      if (sub.owner === this && options.excludeMe !== false) continue;
      await sub.handler(structuredClone(args), structuredClone(kwargs), { topic, subscription: sub.id, publication });
    }
    return options.acknowledge ? { id: publication } : undefined;
  }

  async subscribe(topic: string, handler: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    const sub: Sub = { id: this.#router.nextId(), uri: topic, match: options.match ?? 'exact', handler, owner: this, active: true };
    this.#router.subscriptions.push(sub);
    return { id: sub.id, topic, get active() { return sub.active; }, unsubscribe: async () => { sub.active = false; } };
  }

  async unregister(registration: Registration): Promise<void> { await registration.unregister(); }
  async unsubscribe(subscription: Subscription): Promise<void> { await subscription.unsubscribe(); }
  async leave(): Promise<void> {}
}
