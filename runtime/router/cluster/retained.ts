/**
 * Retained events in the registry: one entry per (realm, topic) holding the topic's retained
 * events as the publisher's node holds them after the publication (its last unrestricted event
 * and the restricted ones after it, each with its receiver filter and when it was retained), so
 * every node, and a node that joins later, hands the same events to its `get_retained`
 * subscribers. A publication's filter travels as the PUBLISH options it came from.
 */
import { publishFilter, FilterOption, type PublishFilter } from '../event-filter.js';
import type { RetainedEvent } from '../retention.js';

/** One retained event and the time (ms) it was retained. */
export interface Stamped {
  readonly event: RetainedEvent;
  readonly at: number;
}

/** The PUBLISH options that give back `filter` through publishFilter(). */
export function filterOptions(filter: PublishFilter): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (!filter.excludeMe) o[FilterOption.EXCLUDE_ME] = false;
  if (filter.exclude !== null) o[FilterOption.EXCLUDE] = [...filter.exclude];
  if (filter.excludeAuthid !== null) o[FilterOption.EXCLUDE_AUTHID] = [...filter.excludeAuthid];
  if (filter.excludeAuthrole !== null) o[FilterOption.EXCLUDE_AUTHROLE] = [...filter.excludeAuthrole];
  if (filter.eligible !== null) o[FilterOption.ELIGIBLE] = [...filter.eligible];
  if (filter.eligibleAuthid !== null) o[FilterOption.ELIGIBLE_AUTHID] = [...filter.eligibleAuthid];
  if (filter.eligibleAuthrole !== null) o[FilterOption.ELIGIBLE_AUTHROLE] = [...filter.eligibleAuthrole];
  return o;
}

export function encodeRetained(topic: string, events: readonly Stamped[]): unknown[] {
  return [topic, events.map(({ event: e, at }) => [at, e.publication, e.publisher ?? 0, filterOptions(e.filter), e.details, e.args ?? null, e.kwargs ?? null])];
}

export function decodeRetained(v: readonly unknown[]): { topic: string; events: Stamped[] } | null {
  const [topic, list] = v;
  if (typeof topic !== 'string' || !Array.isArray(list)) return null;
  const events: Stamped[] = [];
  for (const item of list) {
    if (!Array.isArray(item)) return null;
    const [at, publication, publisher, options, details, args, kwargs] = item;
    if (typeof at !== 'number' || typeof publication !== 'number' || typeof publisher !== 'number' ||
      typeof options !== 'object' || options === null || typeof details !== 'object' || details === null) return null;
    events.push({
      at,
      event: {
        topic, publication, publisher: publisher === 0 ? null : publisher, filter: publishFilter(options as Record<string, unknown>),
        details: details as Record<string, unknown>,
        ...(Array.isArray(args) ? { args } : {}),
        ...(typeof kwargs === 'object' && kwargs !== null ? { kwargs: kwargs as Record<string, unknown> } : {}),
      },
    });
  }
  return { topic, events };
}
