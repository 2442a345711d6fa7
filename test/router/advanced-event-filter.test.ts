// Publisher exclusion and subscriber black/whitelisting: the receiver set of a publication.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { publishFilter, receivers, isReceiver, passesLists, DEFAULT_FILTER } from '../../runtime/router/event-filter.js';
import type { PeerIdentity } from '../../runtime/router/peer.js';

const peers: PeerIdentity[] = [
  { sessionId: 1, authid: 'alice', authrole: 'manager' },
  { sessionId: 2, authid: 'bob', authrole: 'staff' },
  { sessionId: 3, authid: 'carol', authrole: 'staff' },
  { sessionId: 4, authid: 'alice', authrole: 'staff' },
];
const ids = (list: PeerIdentity[]): number[] => list.map((p) => p.sessionId);

describe('event filter', () => {
  test('no options: everybody but the publisher (exclude_me defaults to true)', () => {
    const filter = publishFilter({});
    assert.equal(filter, DEFAULT_FILTER);
    assert.deepEqual(ids(receivers(peers, 2, filter)), [1, 3, 4]);
  });

  test('exclude_me: false includes the publisher', () => {
    const filter = publishFilter({ exclude_me: false });
    assert.equal(filter.restricted, false);
    assert.deepEqual(ids(receivers(peers, 2, filter)), [1, 2, 3, 4]);
  });

  test('the router as publisher (null) excludes nobody', () => {
    assert.deepEqual(ids(receivers(peers, null, DEFAULT_FILTER)), [1, 2, 3, 4]);
  });

  test('spec example: eligible and exclude together', () => {
    const sessions: PeerIdentity[] = [7891255, 1245751, 9912315, 5].map((sessionId) => ({ sessionId, authid: 'x', authrole: 'y' }));
    const filter = publishFilter({ eligible: [7891255, 1245751, 9912315], exclude: [7891255] });
    assert.equal(filter.restricted, true);
    assert.deepEqual(ids(receivers(sessions, 99, filter)), [1245751, 9912315]);
  });

  const cases: Array<[string, Record<string, unknown>, number[]]> = [
    ['exclude', { exclude: [1, 3] }, [2, 4]],
    ['exclude_authid', { exclude_authid: ['alice'] }, [2, 3]],
    ['exclude_authrole', { exclude_authrole: ['staff'] }, [1]],
    ['eligible', { eligible: [3, 4, 42] }, [3, 4]],
    ['eligible_authid', { eligible_authid: ['alice', 'carol'] }, [1, 3, 4]],
    ['eligible_authrole', { eligible_authrole: ['manager'] }, [1]],
    ['eligible_authrole and exclude_authid', { eligible_authrole: ['staff'], exclude_authid: ['alice'] }, [2, 3]],
    ['eligible_authid and eligible_authrole (both must hold)', { eligible_authid: ['alice'], eligible_authrole: ['staff'] }, [4]],
    ['empty eligible list: nobody', { eligible: [] }, []],
    ['empty exclude list: everybody', { exclude: [] }, [1, 2, 3, 4]],
  ];
  for (const [name, options, want] of cases) {
    test(`${name}`, () => {
      // Publisher 99 is not subscribed, so only the lists decide.
      assert.deepEqual(ids(receivers(peers, 99, publishFilter(options))), want);
    });
  }

  test('the lists and exclude_me combine: an eligible publisher is still excluded by default', () => {
    assert.deepEqual(ids(receivers(peers, 1, publishFilter({ eligible: [1, 2] }))), [2]);
    assert.deepEqual(ids(receivers(peers, 1, publishFilter({ eligible: [1, 2], exclude_me: false }))), [1, 2]);
  });

  test('isReceiver and passesLists agree with receivers; stray list items are ignored', () => {
    const filter = publishFilter({ exclude: [2, 'x'], eligible_authrole: ['staff', 7] });
    assert.equal(passesLists(filter, peers[2]!), true);
    assert.equal(isReceiver(filter, 3, peers[2]!), false);
    assert.equal(isReceiver(filter, null, peers[1]!), false);
    assert.equal(isReceiver(filter, null, peers[0]!), false);
    assert.deepEqual(ids(receivers(peers, null, filter)), [3, 4]);
  });
});
