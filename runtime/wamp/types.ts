/**
 * The public client API of a WAMP session: what application code, and the code wampgen
 * generates, programs against. `ApplicationSession` (./session.ts) implements it.
 *
 * Payloads are WAMP's positional `args` and keyword `kwargs`. Options and details use the
 * spec's names in camelCase (`disclose_me` -> `discloseMe`).
 */

export type Args = unknown[];
export type Kwargs = Record<string, unknown>;

/** How a caller asks the dealer to cancel (Advanced Profile, call canceling). */
export type CancelMode = 'skip' | 'kill' | 'killnowait';
/** How a dealer picks among the callees of a shared registration. */
export type InvokePolicy = 'single' | 'roundrobin' | 'random' | 'first' | 'last';
/** How a registration or subscription URI matches. */
export type MatchPolicy = 'exact' | 'prefix' | 'wildcard';

/**
 * Payload Passthru Mode (Advanced Profile): the payload travels as one opaque item the router
 * does not inspect, described by these (the wire's ppt_scheme, ppt_serializer, ppt_cipher,
 * ppt_keyid). `serializer` 'json', 'msgpack' or 'cbor' packs args and kwargs with that
 * serializer, 'native' (the default) as a value; with any other serializer, or a cipher, the
 * application passes the encoded payload as the only argument (a Uint8Array) and receives it
 * so. docs/wamp-client.md, "Payload passthru".
 */
export interface PayloadPassthru {
  /** 'mqtt', 'wamp' (end-to-end encryption: serializer 'cbor' or 'flatbuffers'), or a custom 'x_...'. */
  scheme: string;
  serializer?: string;
  cipher?: string;
  keyid?: string;
}

/** A payload in Autobahn's passthru form: the bytes and their `enc_algo`, `enc_serializer`, `enc_key`. */
export interface EncodedPayload {
  payload: Uint8Array;
  algo: string;
  serializer: string;
  key?: string;
}

/**
 * What a session encrypts and decrypts application payloads with (Autobahn's IPayloadCodec;
 * `CryptoboxKeyRing` is one). `originating` is true for the caller's and publisher's side (CALL,
 * PUBLISH sent; RESULT, ERROR received), false for the callee's and subscriber's (INVOCATION,
 * EVENT received; YIELD, ERROR sent).
 */
export interface PayloadCodec {
  /** The payload to send for `uri`, encoded; undefined sends it in the clear. */
  encode(originating: boolean, uri: string, args: Args | undefined, kwargs: Kwargs | undefined): EncodedPayload | undefined;
  /** Decodes a received payload for `uri`; throws when it cannot. */
  decode(originating: boolean, uri: string, encoded: EncodedPayload): { uri: string; args: Args; kwargs: Kwargs };
}

export interface CallOptions {
  /** Receive progressive results: called for each progressive RESULT before the final one. */
  onProgress?: (args: Args, kwargs: Kwargs) => void;
  /** Aborting cancels the call (CANCEL); the promise rejects with the abort reason. */
  signal?: AbortSignal;
  /** Mode used when `signal` aborts. Default 'kill'. */
  cancelMode?: CancelMode;
  /** Dealer-enforced timeout in milliseconds (0: none). */
  timeout?: number;
  /** Ask the dealer to disclose our identity to the callee. */
  discloseMe?: boolean;
  /** Send the arguments in payload passthru mode (the router must announce payload_passthru_mode). */
  passthru?: PayloadPassthru;
}

export interface RegisterOptions {
  match?: MatchPolicy;
  invoke?: InvokePolicy;
  /** Ask the dealer to disclose callers' identities to us. */
  discloseCaller?: boolean;
  /** Ask the dealer to forward call timeouts to us (we then answer wamp.error.timeout ourselves). */
  forwardTimeout?: boolean;
  /**
   * Take the procedure over from its current callees (`force_reregister`, as Crossbar): the
   * router revokes their registrations. Not in the spec; our router and Crossbar honour it.
   */
  forceReregister?: boolean;
}

export interface PublishOptions {
  /** Wait for the broker's PUBLISHED (or ERROR); otherwise the promise resolves at once. */
  acknowledge?: boolean;
  /** Do not deliver the event to ourselves (default true, as the spec says). */
  excludeMe?: boolean;
  exclude?: number[];
  excludeAuthid?: string[];
  excludeAuthrole?: string[];
  eligible?: number[];
  eligibleAuthid?: string[];
  eligibleAuthrole?: string[];
  discloseMe?: boolean;
  /** Ask the broker to retain this event for late subscribers. */
  retain?: boolean;
  /** Send the payload in payload passthru mode (the router must announce payload_passthru_mode). */
  passthru?: PayloadPassthru;
}

export interface SubscribeOptions {
  match?: MatchPolicy;
  /** Deliver the retained event, if any, right after subscribing. */
  getRetained?: boolean;
}

/** One chunk of a caller's progressive invocation after the first. */
export interface InvocationChunk {
  args: Args;
  kwargs: Kwargs;
  /** True for the caller's last chunk. */
  final: boolean;
}

/** What a callee learns about an invocation. */
export interface InvocationDetails {
  /** The procedure URI actually called (differs from the registered one for pattern registrations). */
  procedure: string;
  registration: number;
  caller?: number;
  callerAuthid?: string;
  callerAuthrole?: string;
  /** Present when the caller asked for progressive results: sends one progressive result. */
  progress?: (args?: Args, kwargs?: Kwargs) => void;
  /** Aborted when the dealer interrupts the invocation (caller cancel or timeout). */
  signal: AbortSignal;
  /**
   * Present when the caller sends its arguments progressively (progressive call invocations):
   * the chunks after the first one (which is the endpoint's args/kwargs), ending after the
   * final chunk; it throws the interrupt reason if the call is canceled.
   */
  input?: AsyncIterable<InvocationChunk>;
  /** The call came in payload passthru mode: args/kwargs are unpacked, and the answer goes back in the same mode. */
  passthru?: PayloadPassthru;
  /** The call came encoded by a payload codec (its `enc_algo`, e.g. 'cryptobox'); the answer goes back encoded. */
  encAlgo?: string;
}

/** What a subscriber learns about an event. */
export interface EventDetails {
  /** The topic URI actually published to (differs from the subscribed one for pattern subscriptions). */
  topic: string;
  subscription: number;
  publication: number;
  publisher?: number;
  publisherAuthid?: string;
  publisherAuthrole?: string;
  retained?: boolean;
  /** The event came in payload passthru mode (args/kwargs are unpacked where we can). */
  passthru?: PayloadPassthru;
  /** The event came encoded by a payload codec (its `enc_algo`, e.g. 'cryptobox'). */
  encAlgo?: string;
}

/** A registered procedure's implementation. Return a value (sent as `[value]`), a `Result`, or throw. */
export type Endpoint = (args: Args, kwargs: Kwargs, details: InvocationDetails) => unknown;
/** An event handler. */
export type EventHandler = (args: Args, kwargs: Kwargs, details: EventDetails) => void | Promise<void>;

export interface Registration {
  readonly id: number;
  readonly procedure: string;
  readonly active: boolean;
  unregister(): Promise<void>;
}

export interface Subscription {
  readonly id: number;
  readonly topic: string;
  readonly active: boolean;
  unsubscribe(): Promise<void>;
}

export interface Publication {
  readonly id: number;
}

/** The full result of a call: positional and keyword results. */
export interface CallResult {
  args: Args;
  kwargs: Kwargs;
}

/** The operations of a joined WAMP session (caller, callee, publisher, subscriber). */
export interface WampSession {
  readonly id: number;
  readonly realm: string;
  readonly isOpen: boolean;
  /**
   * Calls a procedure. Resolves, as Autobahn does, to the single positional result when the
   * callee returned exactly one and no kwargs, else to a `Result`. Rejects with `ApplicationError`.
   */
  call(procedure: string, args?: Args, kwargs?: Kwargs, options?: CallOptions): Promise<unknown>;
  /** Calls a procedure and resolves to its full positional and keyword results. */
  callResult(procedure: string, args?: Args, kwargs?: Kwargs, options?: CallOptions): Promise<CallResult>;
  register(procedure: string, endpoint: Endpoint, options?: RegisterOptions): Promise<Registration>;
  publish(topic: string, args?: Args, kwargs?: Kwargs, options?: PublishOptions): Promise<Publication | undefined>;
  subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription>;
  unregister(registration: Registration): Promise<void>;
  unsubscribe(subscription: Subscription): Promise<void>;
  /** Leaves the realm with GOODBYE. */
  leave(reason?: string, message?: string): Promise<void>;
}
