// What the cluster tests share: the realm configuration every node gets (anonymous and ticket
// principals with roles, so black/whitelists by authid and authrole and the kill grant can be
// exercised) and client helpers.
import { connect, Component, type ApplicationSession, type EventDetails } from '../../runtime/index.js';
import { ticket } from '../../runtime/auth/index.js';
import { eventually, within } from './harness.js';

export const REALM = 'realm1';

export const NODE_CONFIG = {
  realms: [{
    name: REALM,
    auth: {
      anonymous: { type: 'static', role: 'guest' },
      ticket: { type: 'static', principals: { alice: { ticket: 'a-secret', role: 'user' }, bob: { ticket: 'b-secret', role: 'admin' } } },
    },
    metaApi: { mutating: ['admin'] },
  }],
};

const SECRETS: Record<string, string> = { alice: 'a-secret', bob: 'b-secret' };

/** A session joined at `url` (anonymous, or as alice/bob). */
export function join(url: string, authid?: 'alice' | 'bob'): Promise<ApplicationSession> {
  return connect({
    transports: url, realm: REALM, maxRetries: 0,
    ...(authid === undefined ? {} : { authentication: [ticket({ authid, ticket: SECRETS[authid]! })] }),
  });
}

/** A long-lived client over several nodes' transports: reconnects to the next when its node goes. */
export function component(urls: string[], onJoin: (s: ApplicationSession) => Promise<void>): Component {
  return new Component({ transports: urls, realm: REALM, onJoin, initialRetryDelay: 100, retryDelayGrowth: 1, maxRetries: 50 });
}

export interface Received {
  args: unknown[];
  kwargs: Record<string, unknown>;
  details: EventDetails;
}

/** Collects the events of one subscription. */
export class Inbox {
  readonly events: Received[] = [];
  readonly handler = (args: unknown[], kwargs: Record<string, unknown>, details: EventDetails): void => {
    this.events.push({ args, kwargs, details });
  };

  /** Waits (bounded) until `n` events arrived. */
  async count(n: number, what = 'events'): Promise<Received[]> {
    await eventually(() => this.events.length >= n, `${n} ${what} (have ${this.events.length})`);
    return this.events;
  }

  /** Waits until an event whose first argument is `marker` arrived; returns the events before it. */
  async until(marker: unknown): Promise<Received[]> {
    await eventually(() => this.events.some((e) => e.args[0] === marker), `the marker event ${String(marker)}`);
    return this.events.slice(0, this.events.findIndex((e) => e.args[0] === marker));
  }

  args(): unknown[] {
    return this.events.map((e) => e.args[0]);
  }
}

/** How long a leaving session waits for its node's GOODBYE before the test moves on. */
const LEAVE_LIMIT_MS = 5000;

export async function leaveAll(sessions: ApplicationSession[]): Promise<void> {
  await Promise.all(sessions.splice(0).map((s) => (s.isOpen ? within(s.leave(), LEAVE_LIMIT_MS, 'GOODBYE').catch(() => {}) : undefined)));
}
