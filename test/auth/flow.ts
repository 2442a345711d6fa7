// Runs a client Authenticator against a router-side RealmAuth in-process, the way a session
// and the router would: HELLO details from the authenticator, CHALLENGE -> onChallenge ->
// AUTHENTICATE (with authenticateExtra) -> WELCOME -> onWelcome.
import type { Authenticator } from '../../runtime/wamp/auth.js';
import type { AuthHandshake, AuthOutcome, RealmAuth } from '../../runtime/auth/router/index.js';

export interface FlowResult {
  outcome: AuthOutcome;
  challenge?: { method: string; extra: Record<string, unknown> };
  signature?: string;
  handshake: AuthHandshake;
}

export async function runFlow(realm: RealmAuth, client: Authenticator, options: { session?: number; authmethods?: string[] } = {}): Promise<FlowResult> {
  const handshake = realm.handshake();
  const first = await handshake.hello({
    realm: 'realm1',
    session: options.session ?? 4242,
    ...(client.authid === undefined ? {} : { authid: client.authid }),
    authmethods: options.authmethods ?? [client.method],
    ...(client.authextra === undefined ? {} : { authextra: structuredClone(client.authextra) }),
  });
  if (first.kind !== 'challenge') return { outcome: first, handshake };
  const challenge = { method: first.method, extra: structuredClone(first.extra) };
  const signature = await client.onChallenge(challenge.extra);
  const outcome = await handshake.authenticate(signature, client.authenticateExtra?.() ?? {});
  if (outcome.kind === 'welcome') await client.onWelcome?.(outcome.result.authextra);
  return { outcome, challenge, signature, handshake };
}
