/**
 * Where the routing core gets IDs: router scope (subscriptions, registrations) and global
 * scope (sessions, publications). An interface so a backplane can hand out cluster-wide IDs.
 */
import { GlobalIdGenerator, RouterIdGenerator } from '../wamp/ids.js';

export interface IdSource {
  routerId(): number;
  globalId(): number;
}

export function createIdSource(): IdSource {
  const router = new RouterIdGenerator();
  const global = new GlobalIdGenerator();
  return {
    routerId: () => router.next(),
    globalId: () => global.next(),
  };
}
