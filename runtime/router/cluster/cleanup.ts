/**
 * After a node incarnation died, one node (the one whose create of x.<node>.<incarnation>
 * succeeded) does for each of its sessions what that node would have done when the session
 * left, in the same order a single router does it: for each subscription, on_unsubscribe (and
 * on_delete when it was the last subscriber anywhere), for each registration, on_unregister
 * (and on_delete), then the session's testaments, then on_leave; and it removes the session's
 * entries from the registry. So each of these events is published once for the cluster.
 *
 * Every other node has already dropped the dead sessions from its own view (their calls in
 * flight ended) when it counted the node dead; this is the registry's and the meta events' part.
 */
import type { RealmCluster } from './realm-cluster.js';
import type { SessionRecord } from './remote-peer.js';
import { Keys } from './keys.js';
import { decodeValue } from './wire.js';
import { decodeTestaments } from './testaments.js';
import { logger } from '../../log.js';

const log = logger('router:cluster');

export async function cleanUpAfter(rc: RealmCluster, node: string, incarnation: string): Promise<number> {
  const realm = rc.realm;
  if (realm === null) return 0;
  const member = `${node}/${incarnation}`;
  // The replica may lag the registry (the watch is slower than NODE_LEAVING, and an entry the
  // node wrote just before it died may still be on its way): bring it up to date first, so what
  // the node removed itself is not removed again and what it wrote last is cleaned up too.
  await rc.ctx.kv.barrier().catch(() => {});
  const dead = [...rc.records.values()].filter((r) => r.node === node && r.incarnation === incarnation);
  const deadIds = new Set(dead.map((r) => r.session));
  const done = new Set<number>();
  let cleaned = 0;
  for (const record of dead) {
    try {
      if (await cleanUpSession(rc, record, member, deadIds, done)) cleaned++;
    } catch (error) {
      log.warn(() => `cleaning up after session ${record.session} of node ${node} failed: ${(error as Error).message}`);
    }
    done.add(record.session);
  }
  // Entries a node wrote before it could record its session (it died in between) go too, without events.
  for (const s of rc.broker.claimsListing(member)) await rc.broker.removeSubscriber(0, member, s.id, s.uri, s.match, true).catch(() => false);
  for (const r of rc.dealer.registrationsOf(member)) {
    for (const session of r.sessions) await rc.dealer.removeCallee(session, member, r.uri, r.match).catch(() => false);
  }
  return cleaned;
}

/** Does what the session's node would have done when it left; false when its node had done so already. */
async function cleanUpSession(rc: RealmCluster, record: SessionRecord, member: string, deadIds: ReadonlySet<number>, done: ReadonlySet<number>): Promise<boolean> {
  const meta = rc.realm!.meta;
  const { session } = record;
  // The registry is the truth: a session its node removed already is not cleaned up (or announced) again.
  if (await rc.ctx.kv.get(Keys.session(rc.ctx.key, session)) === null) {
    rc.records.delete(session);
    return false;
  }
  for (const sub of rc.broker.subscriptionsOf(session)) {
    // The node's last subscriber there: the others of its incarnation on this subscription are done already.
    const lastOfNode = ![...sub.members].some((s) => s !== session && deadIds.has(s) && !done.has(s));
    const deleted = await rc.broker.removeSubscriber(session, member, sub.id, sub.uri, sub.match, lastOfNode);
    meta.subscriberRemoved(session, sub.id);
    if (deleted) meta.subscriptionDeleted(session, sub.id);
  }
  for (const reg of rc.dealer.registrationsOf(member)) {
    if (!reg.sessions.includes(session)) continue;
    const deleted = await rc.dealer.removeCallee(session, member, reg.uri, reg.match);
    meta.calleeRemoved(session, reg.id);
    if (deleted) meta.registrationDeleted(session, reg.id);
  }
  const key = Keys.testaments(rc.ctx.key, session);
  const stored = await rc.ctx.kv.get(key);
  if (stored !== null) {
    for (const t of decodeTestaments(decodeValue(stored.value) ?? [])) {
      const { acknowledge: _ignored, ...options } = t.options;
      rc.broker.publish(null, { topic: t.topic, options, args: [...t.args], kwargs: { ...t.kwargs } });
    }
    await rc.ctx.kv.delete(key);
  }
  meta.sessionLeft({ session, authid: record.authid, authrole: record.authrole });
  await rc.ctx.kv.delete(Keys.session(rc.ctx.key, session));
  rc.records.delete(session);
  return true;
}
