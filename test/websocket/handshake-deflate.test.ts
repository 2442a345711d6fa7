import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptServerDeflate,
  buildClientOffer,
  checkClientDeflateOptions,
  checkServerDeflateOptions,
  negotiateServerDeflate,
  type ClientDeflateOptions,
  type ServerDeflateOptions,
} from '../../runtime/websocket/deflate-negotiation.js';
import { formatExtensionHeader, parseExtensionHeader } from '../../runtime/websocket/extension-header.js';

const FULL = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

function server(offer: string, opts: ServerDeflateOptions = {}) {
  const r = negotiateServerDeflate(parseExtensionHeader(offer), opts);
  return r === null ? null : { header: formatExtensionHeader([r.element]), params: r.params };
}

/** Runs a full client offer -> server answer -> client check round. */
function roundTrip(client: ClientDeflateOptions, srv: ServerDeflateOptions) {
  const offer = formatExtensionHeader([buildClientOffer(client)]);
  const s = negotiateServerDeflate(parseExtensionHeader(offer), srv);
  if (s === null) return { offer, server: null, client: null };
  return { offer, server: s.params, client: acceptServerDeflate(s.element, client), answer: formatExtensionHeader([s.element]) };
}

describe('server side permessage-deflate negotiation', () => {
  test('a bare offer is accepted with full windows and context takeover', () => {
    assert.deepEqual(server('permessage-deflate'), { header: 'permessage-deflate', params: FULL });
  });

  test('server_no_context_takeover: granted when asked, or imposed by option', () => {
    assert.deepEqual(server('permessage-deflate; server_no_context_takeover')?.params, { ...FULL, serverNoContextTakeover: true });
    assert.equal(server('permessage-deflate', { serverNoContextTakeover: true })?.header, 'permessage-deflate; server_no_context_takeover');
  });

  test('client_no_context_takeover: echoed when the client offers it, required by option', () => {
    assert.equal(server('permessage-deflate; client_no_context_takeover')?.header, 'permessage-deflate; client_no_context_takeover');
    assert.equal(server('permessage-deflate', { clientNoContextTakeover: true })?.params.clientNoContextTakeover, true);
  });

  test('server_max_window_bits: the smaller of the request and our limit; our limit announced unasked', () => {
    assert.equal(server('permessage-deflate; server_max_window_bits=10')?.params.serverMaxWindowBits, 10);
    assert.equal(server('permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 9 })?.header, 'permessage-deflate; server_max_window_bits=9');
    assert.equal(server('permessage-deflate', { serverMaxWindowBits: 11 })?.header, 'permessage-deflate; server_max_window_bits=11');
  });

  test('client_max_window_bits: only answered when offered, never above the offered value', () => {
    assert.equal(server('permessage-deflate; client_max_window_bits')?.header, 'permessage-deflate');
    assert.equal(server('permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 })?.header, 'permessage-deflate; client_max_window_bits=10');
    assert.equal(server('permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 12 })?.params.clientMaxWindowBits, 9);
    // Not offered: the client cannot be limited, the answer must not carry the parameter.
    assert.deepEqual(server('permessage-deflate', { clientMaxWindowBits: 10 }), { header: 'permessage-deflate', params: FULL });
  });

  test('invalid offers are declined and the next acceptable one is taken', () => {
    for (const bad of [
      'permessage-deflate; server_max_window_bits',
      'permessage-deflate; server_max_window_bits=7',
      'permessage-deflate; server_max_window_bits=16',
      'permessage-deflate; server_max_window_bits=010',
      'permessage-deflate; client_max_window_bits=1x',
      'permessage-deflate; server_no_context_takeover=1',
      'permessage-deflate; unknown_param',
    ]) {
      assert.equal(server(bad), null, bad);
      assert.equal(server(`${bad}, permessage-deflate; server_no_context_takeover`)?.params.serverNoContextTakeover, true, bad);
    }
    assert.equal(server('x-webkit-deflate-frame'), null);
  });

  test('the accept hook sees offers and the proposal and may modify, pick another, decline or keep', () => {
    const offers = 'permessage-deflate; server_max_window_bits=10, permessage-deflate';
    let seen = 0;
    const keep = server(offers, {
      accept: (list, proposal) => {
        seen = list.length;
        assert.equal(proposal?.offerIndex, 0);
        return undefined;
      },
    });
    assert.equal(seen, 2);
    assert.equal(keep?.params.serverMaxWindowBits, 10);
    const second = server(offers, {
      accept: (list) => ({ offerIndex: list[1]!.index, response: { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: null, clientMaxWindowBits: null } }),
    });
    assert.equal(second?.header, 'permessage-deflate; server_no_context_takeover');
    assert.equal(server(offers, { accept: () => null }), null);
    const modified = server(offers, { accept: (_l, p) => p && { ...p, response: { ...p.response, serverMaxWindowBits: 8 } } });
    assert.equal(modified?.params.serverMaxWindowBits, 8);
    // An answer that breaks RFC 7692 is a programming error of the hook.
    assert.throws(() => server(offers, { accept: (_l, p) => p && { ...p, response: { ...p.response, serverMaxWindowBits: 12 } } }), { code: 'WS_INVALID_ARGUMENT' });
    assert.throws(() => server(offers, { accept: (_l, p) => p && { ...p, response: { ...p.response, clientMaxWindowBits: 9 } } }), { code: 'WS_INVALID_ARGUMENT' });
    assert.throws(() => server(offers, { accept: () => ({ offerIndex: 7, response: { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: null, clientMaxWindowBits: null } }) }), { code: 'WS_INVALID_ARGUMENT' });
  });

  test('options are validated naming the bad value', () => {
    assert.throws(() => checkServerDeflateOptions({ serverMaxWindowBits: 16 }), { code: 'WS_INVALID_ARGUMENT', message: /serverMaxWindowBits.*16/ });
    assert.throws(() => checkServerDeflateOptions({ clientNoContextTakeover: 'yes' as never }), { code: 'WS_INVALID_ARGUMENT', message: /clientNoContextTakeover/ });
    assert.throws(() => checkClientDeflateOptions({ clientMaxWindowBits: 7 }), { code: 'WS_INVALID_ARGUMENT', message: /7/ });
    checkClientDeflateOptions({ clientMaxWindowBits: false });
  });
});

describe('client side permessage-deflate negotiation', () => {
  test('default offer advertises client_max_window_bits', () => {
    assert.equal(formatExtensionHeader([buildClientOffer({})]), 'permessage-deflate; client_max_window_bits');
  });

  test('each of the four parameters round-trips to matching params on both ends', () => {
    const a = roundTrip({ serverNoContextTakeover: true }, {});
    assert.equal(a.server?.serverNoContextTakeover, true);
    assert.equal(a.client?.serverNoContextTakeover, true);

    const b = roundTrip({ clientNoContextTakeover: true }, {});
    assert.equal(b.server?.clientNoContextTakeover, true);
    assert.equal(b.client?.clientNoContextTakeover, true);

    const c = roundTrip({ serverMaxWindowBits: 9 }, {});
    assert.equal(c.server?.serverMaxWindowBits, 9);
    assert.equal(c.client?.serverMaxWindowBits, 9);

    const d = roundTrip({ clientMaxWindowBits: 11 }, { clientMaxWindowBits: 10 });
    assert.equal(d.answer, 'permessage-deflate; client_max_window_bits=10');
    assert.equal(d.server?.clientMaxWindowBits, 10);
    assert.equal(d.client?.clientMaxWindowBits, 10);

    const e = roundTrip({ clientMaxWindowBits: 12 }, {});
    assert.deepEqual(e.client, e.server);
    assert.equal(e.client?.clientMaxWindowBits, 12);
  });

  const answers: [string, ClientDeflateOptions, RegExp][] = [
    ['permessage-deflate; foo', {}, /unknown parameter foo/],
    ['permessage-deflate; server_max_window_bits=16', {}, /not 8\.\.15/],
    ['permessage-deflate; server_max_window_bits', {}, /not 8\.\.15/],
    ['permessage-deflate; client_max_window_bits', {}, /not 8\.\.15/],
    ['permessage-deflate; client_no_context_takeover=1', {}, /takes no value/],
    ['permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: false }, /not offered/],
    ['permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 10 }, /above our 10/],
    ['permessage-deflate', { serverMaxWindowBits: 10 }, /at most 10/],
    ['permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 10 }, /at most 10/],
    ['permessage-deflate', { serverNoContextTakeover: true }, /not granted/],
  ];
  for (const [answer, opts, pattern] of answers) {
    test(`fails on answer "${answer}" to ${JSON.stringify(opts)}`, () => {
      const [el] = parseExtensionHeader(answer);
      assert.throws(() => acceptServerDeflate(el!, opts), { code: 'WS_HANDSHAKE_FAILED', message: pattern });
    });
  }

  test('the client hook can veto or tighten our own side only', () => {
    const [el] = parseExtensionHeader('permessage-deflate; server_max_window_bits=10');
    assert.throws(() => acceptServerDeflate(el!, { accept: () => false }), { code: 'WS_HANDSHAKE_FAILED', message: /hook/ });
    const p = acceptServerDeflate(el!, {
      accept: (res, params) => {
        assert.equal(res.serverMaxWindowBits, 10);
        return { ...params, clientNoContextTakeover: true, clientMaxWindowBits: 9, serverMaxWindowBits: 15 };
      },
    });
    assert.deepEqual(p, { serverNoContextTakeover: false, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 });
    assert.throws(() => acceptServerDeflate(el!, { accept: (_r, params) => ({ ...params, clientMaxWindowBits: 20 }) }), { code: 'WS_INVALID_ARGUMENT' });
  });
});
