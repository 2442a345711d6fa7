/**
 * The shapes a client session exposes: join and leave details, configuration, events.
 */
import type { Authenticator } from './auth.js';
import type { PayloadCodec, PublishOptions, Registration, Subscription } from './types.js';

/** What WELCOME told us. */
export interface SessionDetails {
  realm: string;
  session: number;
  authid?: string;
  authrole?: string;
  authmethod?: string;
  authprovider?: string;
  authextra?: Record<string, unknown>;
  /** The router's roles and features. */
  routerRoles: Record<string, unknown>;
  /** True when the Component rejoined after a reconnect and restored registrations/subscriptions. */
  rejoined: boolean;
}

/** Why a session left its realm (GOODBYE or ABORT reason, or transport loss). */
export interface CloseDetails {
  reason: string;
  message?: string;
}

export interface Challenge {
  method: string;
  extra: Record<string, unknown>;
}

export interface JoinOptions {
  /** Offered authentication methods (default: anonymous only, sent as no authmethods). */
  authmethods?: string[];
  authid?: string;
  authrole?: string;
  authextra?: Record<string, unknown>;
}

export interface SessionConfig extends JoinOptions {
  /** The realm `onConnect` joins by default. */
  realm?: string;
  /**
   * How to authenticate (default: anonymous). Their methods are offered in HELLO (unless only
   * anonymous), and the default `onChallenge` answers with the matching one.
   */
  authenticators?: Authenticator[];
  /**
   * Encrypts and decrypts application payloads end to end (Autobahn's payload codec, e.g. a
   * `CryptoboxKeyRing`): calls and publications to URIs it has a key for travel encoded, and
   * what arrives encoded is decoded with it. `setPayloadCodec` changes it later.
   */
  payloadCodec?: PayloadCodec;
}

export type SessionEvents = {
  join: (details: SessionDetails) => void;
  leave: (details: CloseDetails) => void;
  disconnect: (info: { wasClean: boolean; reason: string }) => void;
  /** Errors of application code that has no caller to report to (event handlers, onJoin). */
  error: (error: unknown) => void;
  /** The router revoked one of our registrations (it is now inactive). */
  registrationRevoked: (registration: Registration, reason: string | undefined) => void;
  /** The router revoked a subscription: every local subscription sharing it is now inactive. */
  subscriptionRevoked: (subscriptions: Subscription[], reason: string | undefined) => void;
};

/** Options of a testament (testament meta API). */
export interface TestamentOptions {
  /** When the router publishes it: 'destroyed' (default, the session ended) or 'detached'. */
  scope?: 'destroyed' | 'detached';
  /** The options the event is published with (`acknowledge` means nothing here). */
  publishOptions?: PublishOptions;
}
