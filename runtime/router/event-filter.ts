/**
 * Who receives a publication: publisher exclusion (`exclude_me`, default true) and subscriber
 * black- and whitelisting (`exclude`, `exclude_authid`, `exclude_authrole`, `eligible`,
 * `eligible_authid`, `eligible_authrole`).
 *
 * A subscriber receives the event if and only if every present whitelist contains it and no
 * present blacklist does (the spec's six conditions, all ANDed), and it is not the publisher
 * unless `exclude_me` is false. The filter is parsed once per PUBLISH into sets, so checking a
 * receiver is a few set lookups; a publication without lists skips them all. The same filter
 * is stored with a retained event, so a later subscriber gets it only if it would have received
 * it when it was published (event retention's eligibility rule).
 */
import type { PeerIdentity } from './peer.js';

/** PUBLISH.Options keys this filter reads, by their spec names. */
export const FilterOption = {
  EXCLUDE_ME: 'exclude_me',
  EXCLUDE: 'exclude',
  EXCLUDE_AUTHID: 'exclude_authid',
  EXCLUDE_AUTHROLE: 'exclude_authrole',
  ELIGIBLE: 'eligible',
  ELIGIBLE_AUTHID: 'eligible_authid',
  ELIGIBLE_AUTHROLE: 'eligible_authrole',
} as const;

export interface PublishFilter {
  /** False when the publisher asked to receive its own event (`exclude_me: false`). */
  readonly excludeMe: boolean;
  /** True when any black- or whitelist is present: the event is not for every subscriber. */
  readonly restricted: boolean;
  readonly exclude: ReadonlySet<number> | null;
  readonly excludeAuthid: ReadonlySet<string> | null;
  readonly excludeAuthrole: ReadonlySet<string> | null;
  readonly eligible: ReadonlySet<number> | null;
  readonly eligibleAuthid: ReadonlySet<string> | null;
  readonly eligibleAuthrole: ReadonlySet<string> | null;
}

/** Every subscriber but the publisher: a PUBLISH with no filtering options. */
export const DEFAULT_FILTER: PublishFilter = Object.freeze({
  excludeMe: true,
  restricted: false,
  exclude: null,
  excludeAuthid: null,
  excludeAuthrole: null,
  eligible: null,
  eligibleAuthid: null,
  eligibleAuthrole: null,
});

function ids(value: unknown): ReadonlySet<number> | null {
  return Array.isArray(value) ? new Set(value.filter((v): v is number => typeof v === 'number')) : null;
}

function strings(value: unknown): ReadonlySet<string> | null {
  return Array.isArray(value) ? new Set(value.filter((v): v is string => typeof v === 'string')) : null;
}

/**
 * The filter of one PUBLISH. Options are taken as the message parser left them (it has already
 * rejected lists of the wrong type); stray non-matching items are ignored, never thrown on.
 */
export function publishFilter(options: Readonly<Record<string, unknown>>): PublishFilter {
  const exclude = ids(options[FilterOption.EXCLUDE]);
  const excludeAuthid = strings(options[FilterOption.EXCLUDE_AUTHID]);
  const excludeAuthrole = strings(options[FilterOption.EXCLUDE_AUTHROLE]);
  const eligible = ids(options[FilterOption.ELIGIBLE]);
  const eligibleAuthid = strings(options[FilterOption.ELIGIBLE_AUTHID]);
  const eligibleAuthrole = strings(options[FilterOption.ELIGIBLE_AUTHROLE]);
  const excludeMe = options[FilterOption.EXCLUDE_ME] !== false;
  const restricted = exclude !== null || excludeAuthid !== null || excludeAuthrole !== null ||
    eligible !== null || eligibleAuthid !== null || eligibleAuthrole !== null;
  if (!restricted && excludeMe) return DEFAULT_FILTER;
  return { excludeMe, restricted, exclude, excludeAuthid, excludeAuthrole, eligible, eligibleAuthid, eligibleAuthrole };
}

/** Whether `receiver`'s identity passes the black- and whitelists (publisher exclusion aside). */
export function passesLists(filter: PublishFilter, receiver: PeerIdentity): boolean {
  if (!filter.restricted) return true;
  if (filter.eligible !== null && !filter.eligible.has(receiver.sessionId)) return false;
  if (filter.eligibleAuthid !== null && !filter.eligibleAuthid.has(receiver.authid)) return false;
  if (filter.eligibleAuthrole !== null && !filter.eligibleAuthrole.has(receiver.authrole)) return false;
  if (filter.exclude?.has(receiver.sessionId) === true) return false;
  if (filter.excludeAuthid?.has(receiver.authid) === true) return false;
  if (filter.excludeAuthrole?.has(receiver.authrole) === true) return false;
  return true;
}

/**
 * Whether `receiver` gets an event `publisherSession` published under `filter`. The publisher
 * is a session ID, not an object, so a retained event can be checked after the publisher left;
 * null stands for the router itself (meta events, testaments), which nobody is excluded as.
 */
export function isReceiver(filter: PublishFilter, publisherSession: number | null, receiver: PeerIdentity): boolean {
  if (filter.excludeMe && publisherSession !== null && receiver.sessionId === publisherSession) return false;
  return passesLists(filter, receiver);
}

/** The subscribers of one subscription that receive the event, in iteration order. */
export function receivers<P extends PeerIdentity>(
  subscribers: Iterable<P>,
  publisherSession: number | null,
  filter: PublishFilter,
): P[] {
  const out: P[] = [];
  for (const s of subscribers) if (isReceiver(filter, publisherSession, s)) out.push(s);
  return out;
}
