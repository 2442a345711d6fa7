/**
 * The Component: a long-lived client that connects through a list of transports, joins a
 * realm, and reconnects with backoff when the transport is lost, restoring the session's
 * registrations and subscriptions (Autobahn's Component, options in camelCase).
 *
 * This file has no Node built-ins: turning a transport entry (a URL or config) into a
 * connection is the job of a `TransportFactory` — the Node one (ws, wss, rs, tcp, unix) in
 * ./component.ts, the browser one (ws, wss over the browser's WebSocket) in wampkit/browser.
 */
import { Emitter } from '../transports/emitter.js';
import type { TransportConnector, WampTransport } from '../transports/transport.js';
import type { SerializerSpec } from '../transports/serializer-choice.js';
import { createError } from '../errors.js';
import { WampErrorCode } from './error-codes.js';
import { ApplicationSession, type CloseDetails, type SessionConfig, type SessionDetails } from './session.js';
import type { Authenticator } from './auth.js';
import { logger } from '../log.js';

const log = logger('wamp:component');

/** A transport as configured: a URL, or a URL with options for that kind of transport. */
export interface TransportConfig {
  url: string;
  /**
   * WebSocket: serializers to offer, most preferred first. RawSocket: the first one is asked
   * for. Names ('json', 'msgpack', 'cbor') or Serializer instances (`createSerializer`).
   */
  serializers?: SerializerSpec[];
  /** Nesting limit (16..1024, default 512) of the serializers given by name. */
  maxDepth?: number;
  /** Largest message accepted, in bytes. */
  maxMessageSize?: number;
  /**
   * Further options for the transport: in Node the WebSocket client's (headers, tls, proxy,
   * perMessageDeflate, handshakeTimeout, ...) or RawSocket's (autoPingInterval, ...).
   */
  options?: Record<string, unknown>;
}

export type TransportEntry = string | TransportConfig | TransportConnector;
export type TransportFactory = (entry: string | TransportConfig) => TransportConnector;

export interface ComponentOptions {
  /** Where to connect; tried in order, round robin across reconnects. */
  transports: TransportEntry | TransportEntry[];
  realm: string;
  /** Default: anonymous. */
  authentication?: Authenticator[];
  /** Session class to instantiate (an ApplicationSession subclass overriding onJoin). */
  session?: new (config: SessionConfig) => ApplicationSession;
  /** Called on the first join (registrations and subscriptions go here). */
  onJoin?: (session: ApplicationSession, details: SessionDetails) => void | Promise<void>;
  /** Called when the session leaves (any reason). */
  onLeave?: (session: ApplicationSession, details: CloseDetails) => void;
  /** Ms before the first reconnect attempt. Default 1500. */
  initialRetryDelay?: number;
  /** Factor the delay grows by per failed attempt. Default 1.5. */
  retryDelayGrowth?: number;
  /** Relative random spread of each delay (0.1: +-10%). Default 0.1. */
  retryDelayJitter?: number;
  /** Ms the delay never exceeds. Default 300 000. */
  maxRetryDelay?: number;
  /** Consecutive failed attempts before giving up; -1: never. Default 15. */
  maxRetries?: number;
}

export type ComponentEvents = {
  connect: (transport: WampTransport) => void;
  connectfailure: (error: unknown, attempt: number) => void;
  join: (session: ApplicationSession, details: SessionDetails) => void;
  leave: (session: ApplicationSession, details: CloseDetails) => void;
  disconnect: (session: ApplicationSession, wasClean: boolean) => void;
  /** onJoin threw or rejected. */
  error: (error: unknown) => void;
  /** The component stopped for good (stop(), a deliberate leave, a fatal ABORT, or retries exhausted). */
  done: (error?: unknown) => void;
};

/** The Component's error codes (part of the WAMP layer's table). */
export const ComponentErrorCode = {
  INVALID_OPTION: WampErrorCode.INVALID_OPTION,
  RETRIES_EXHAUSTED: WampErrorCode.RETRIES_EXHAUSTED,
  JOIN_REFUSED: WampErrorCode.JOIN_REFUSED,
} as const;

function bad(message: string): Error {
  return createError(ComponentErrorCode.INVALID_OPTION, message);
}

function numberOption(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw bad(`${name} must be a number >= ${min}, got ${String(value)}`);
  return value;
}

/** The delay before reconnect attempt `attempt` (1-based), with jitter drawn from `random`. */
export function retryDelay(
  attempt: number,
  o: { initialRetryDelay: number; retryDelayGrowth: number; retryDelayJitter: number; maxRetryDelay: number },
  random: () => number = Math.random,
): number {
  const base = Math.min(o.initialRetryDelay * o.retryDelayGrowth ** Math.max(0, attempt - 1), o.maxRetryDelay);
  const spread = base * o.retryDelayJitter * (2 * random() - 1);
  return Math.max(0, Math.min(base + spread, o.maxRetryDelay));
}

export class Component extends Emitter<ComponentEvents> {
  readonly session: ApplicationSession;
  readonly #connectors: TransportConnector[];
  readonly #retry: { initialRetryDelay: number; retryDelayGrowth: number; retryDelayJitter: number; maxRetryDelay: number; maxRetries: number };
  #next = 0;
  #failures = 0;
  #running = false;
  #stopped = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #done: { resolve(): void; reject(e: unknown): void } | null = null;
  #joinedOnce = false;

  constructor(options: ComponentOptions, factory: TransportFactory) {
    super();
    if (typeof options !== 'object' || options === null) throw bad(`component options must be an object, got ${String(options)}`);
    if (typeof options.realm !== 'string' || options.realm === '') throw bad(`realm must be a non-empty string, got ${JSON.stringify(options.realm)}`);
    const entries = Array.isArray(options.transports) ? options.transports : [options.transports];
    if (entries.length === 0 || entries.some((e) => e === undefined || e === null)) {
      throw bad(`transports must list at least one URL, config or connector, got ${JSON.stringify(options.transports)}`);
    }
    this.#connectors = entries.map((e) => (typeof e === 'function' ? e : factory(e)));
    this.#retry = {
      initialRetryDelay: numberOption(options.initialRetryDelay, 'initialRetryDelay', 1500, 0),
      retryDelayGrowth: numberOption(options.retryDelayGrowth, 'retryDelayGrowth', 1.5, 1),
      retryDelayJitter: numberOption(options.retryDelayJitter, 'retryDelayJitter', 0.1, 0),
      maxRetryDelay: numberOption(options.maxRetryDelay, 'maxRetryDelay', 300_000, 0),
      maxRetries: numberOption(options.maxRetries, 'maxRetries', 15, -1),
    };
    if (this.#retry.retryDelayJitter > 1) throw bad(`retryDelayJitter must be in 0..1, got ${this.#retry.retryDelayJitter}`);
    const SessionClass = options.session ?? ApplicationSession;
    const config: SessionConfig = { realm: options.realm, ...(options.authentication === undefined ? {} : { authenticators: options.authentication }) };
    this.session = new SessionClass(config);
    this.session.on('join', (details) => {
      this.#failures = 0;
      this.emit('join', this.session, details);
      if (!this.#joinedOnce) {
        this.#joinedOnce = true;
        if (options.onJoin !== undefined) {
          Promise.resolve().then(() => options.onJoin?.(this.session, details)).catch((error: unknown) => {
            if (!this.emit('error', error)) console.error('wampkit: onJoin failed:', error);
          });
        }
      }
    });
    this.session.on('leave', (details) => {
      this.emit('leave', this.session, details);
      options.onLeave?.(this.session, details);
      // leave() while waiting to reconnect: no transport will close, so stop here.
      if (this.session.leftDeliberately && !this.session.isConnected) {
        this.#finish();
        return;
      }
      // A refused join (ABORT while joining) will not get better by retrying: stop.
      if (this.session.details === null || !this.#joinedOnce) {
        if (details.reason !== 'wamp.close.transport_lost') this.#finish(createError(ComponentErrorCode.JOIN_REFUSED, `the router refused to join realm ${options.realm}: ${details.reason}${details.message === undefined ? '' : ` (${details.message})`}`));
      }
    });
    this.session.on('disconnect', ({ wasClean }) => {
      this.emit('disconnect', this.session, wasClean);
      if (this.#stopped || this.session.leftDeliberately) this.#finish();
      else this.#schedule();
    });
  }

  /** Connects and keeps the session connected; resolves when the component is done. */
  start(): Promise<void> {
    if (this.#running) return Promise.reject(createError(ComponentErrorCode.INVALID_OPTION, 'the component is already running'));
    this.#running = true;
    this.#stopped = false;
    const done = new Promise<void>((resolve, reject) => (this.#done = { resolve, reject }));
    void this.#attempt();
    return done;
  }

  /** Leaves (if joined), disconnects and stops reconnecting. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.session.isOpen) await this.session.leave('wamp.close.normal');
    if (this.session.isConnected) this.session.disconnect();
    else this.#finish();
  }

  async #attempt(): Promise<void> {
    if (this.#stopped) return;
    const connector = this.#connectors[this.#next % this.#connectors.length] as TransportConnector;
    this.#next++;
    log.debug(() => `connect attempt ${this.#next}${this.#failures > 0 ? ` (after ${this.#failures} failed)` : ''}`);
    let transport: WampTransport;
    try {
      transport = await connector();
    } catch (error) {
      this.#failures++;
      log.debug(() => `connect attempt failed: ${error instanceof Error ? error.message : String(error)}`);
      this.emit('connectfailure', error, this.#failures);
      this.#schedule(error);
      return;
    }
    if (this.#stopped) {
      transport.close();
      return;
    }
    this.emit('connect', transport);
    this.session.attach(transport);
  }

  #schedule(lastError?: unknown): void {
    if (this.#stopped || !this.#running || this.#timer !== null) return;
    const { maxRetries } = this.#retry;
    if (maxRetries >= 0 && this.#failures > maxRetries) {
      log.warn(() => `gave up after ${this.#failures} failed connection attempts (maxRetries ${maxRetries}); check the router address and that it is running`);
      this.#finish(createError(ComponentErrorCode.RETRIES_EXHAUSTED, `gave up after ${this.#failures} failed connection attempts`, {}, lastError));
      return;
    }
    const delay = retryDelay(Math.max(1, this.#failures), this.#retry);
    log.debug(() => `reconnecting in ${Math.round(delay)} ms`);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#attempt();
    }, delay);
  }

  #finish(error?: unknown): void {
    if (!this.#running) return;
    this.#running = false;
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.session.isConnected) this.session.disconnect();
    const done = this.#done;
    this.#done = null;
    this.emit('done', error);
    if (error === undefined) done?.resolve();
    else done?.reject(error);
  }
}

/**
 * Starts a component and resolves with its session once joined; rejects if it could not join
 * (refused, or retries exhausted). The component keeps reconnecting until the session leaves.
 */
export function connectWith(options: ComponentOptions, factory: TransportFactory): Promise<ApplicationSession> {
  const component = new Component(options, factory);
  return new Promise<ApplicationSession>((resolve, reject) => {
    component.once('join', (session) => resolve(session));
    component.start().catch(reject);
  });
}
