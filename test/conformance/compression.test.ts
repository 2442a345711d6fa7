// Autobahn case groups 12 and 13 (permessage-deflate, RFC 7692): every parameter combination is
// negotiated and then honoured (the raw peer inflates with exactly the agreed window and resets
// its inflater when the engine promised no context takeover), messages of various sizes and
// compressibility round-trip, compressed and plain messages mix, and broken compression fails
// with the right code, a deflate bomb with 1009 before it is inflated.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { Opcode } from '../../runtime/websocket/constants.js';
import { conformanceSuite, type ConformanceCase } from './harness/suite.js';
import { fragmentSpecs, type RawPeer } from './harness/raw-peer.js';
import { parseDeflateResponse } from './harness/deflate.js';
import { asciiText, KiB, MiB, randomish, repetitiveText } from './harness/payloads.js';

type Params = [name: string, value?: number][];

const SETS: [string, Params][] = [
  ['13.1', []],
  ['13.2', [['client_no_context_takeover']]],
  ['13.x', [['server_no_context_takeover']]],
  ['13.x', [['server_no_context_takeover'], ['client_no_context_takeover']]],
  ['13.x', [['client_max_window_bits']]],
  ...[8, 9, 10, 11, 12, 13, 14, 15].map((n): [string, Params] => ['13.x', [['server_max_window_bits', n]]]),
  ...[8, 9, 10, 11, 12, 13, 14, 15].map((n): [string, Params] => [n === 8 ? '13.3' : n === 15 ? '13.4' : '13.x', [['client_max_window_bits', n]]]),
  ['13.5', [['client_no_context_takeover'], ['client_max_window_bits', 8]]],
  ['13.6', [['client_no_context_takeover'], ['client_max_window_bits', 15]]],
  ['13.x', [['server_no_context_takeover'], ['client_no_context_takeover'], ['server_max_window_bits', 10], ['client_max_window_bits', 10]]],
];

const formatParams = (params: Params): string => params.map(([n, v]) => (v === undefined ? `; ${n}` : `; ${n}=${v}`)).join('');
const header = (params: Params): string => `permessage-deflate${formatParams(params)}`;

/** Checks a server's response against our offer (RFC 7692 section 7.1). */
function checkServerResponse(offer: Params, extensions: string): void {
  const response = parseDeflateResponse(extensions);
  assert.ok(response !== null, `permessage-deflate not accepted: "${extensions}"`);
  const offered = new Map(offer.map(([n, v]) => [n, v]));
  if (offered.has('server_no_context_takeover')) assert.ok(response.has('server_no_context_takeover'), 'server_no_context_takeover requested but not in the response');
  const serverBits = offered.get('server_max_window_bits');
  if (serverBits !== undefined) {
    const got = response.get('server_max_window_bits');
    assert.ok(typeof got === 'string' && Number(got) <= serverBits, `server_max_window_bits ${String(got)} for an offer of ${serverBits}`);
  }
  if (response.has('client_max_window_bits')) {
    assert.ok(offered.has('client_max_window_bits'), 'client_max_window_bits in the response without an offer');
    const got = Number(response.get('client_max_window_bits'));
    const limit = offered.get('client_max_window_bits') ?? 15;
    assert.ok(got >= 8 && got <= limit, `client_max_window_bits=${got} for an offer of ${limit}`);
  }
}

/** The series every parameter set runs: sizes x compressibility, each message twice (context). */
const SERIES: [Buffer, boolean][] = [];
// Empty messages have their own cases below, so one bug there does not hide the rest.
for (const size of [16, KiB, 64 * KiB]) {
  SERIES.push([repetitiveText(size), false], [randomish(size, size + 1), true], [asciiText(size, size + 3), false]);
}
SERIES.push([repetitiveText(MiB), false]);

async function runSeries(peer: RawPeer): Promise<void> {
  for (const [payload, binary] of SERIES) {
    for (let round = 0; round < 2; round++) {
      await peer.sendCompressed(payload, binary);
      const echo = await peer.expectEcho(payload, binary, 15_000);
      assert.ok(echo.compressed, `echo of ${payload.length} B was not compressed`);
    }
  }
}

const cases: ConformanceCase[] = [];
for (const [id, params] of SETS) {
  cases.push({
    id,
    name: `negotiated ${header(params)}: messages of 0 B..1 MiB, compressible and not, round-trip`,
    offer: header(params),
    respond: (offer) => {
      if (params.some(([n]) => n === 'client_max_window_bits')) {
        assert.match(offer, /client_max_window_bits/, `the client's offer lacks client_max_window_bits: "${offer}"`);
      }
      // A response must give client_max_window_bits a value (section 7.1.2.2).
      return header(params.map(([n, v]): [string, number?] => (n === 'client_max_window_bits' && v === undefined ? [n, 15] : [n, v])));
    },
    async run(peer, ctx) {
      if (ctx.direction === 'server') checkServerResponse(params, peer.extensions);
      await runSeries(peer);
      await peer.closeHandshake();
    },
  });
}

const DEFAULT = header([]);
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const withDefault = (c: Omit<ConformanceCase, 'offer' | 'respond'>): ConformanceCase => ({ ...c, offer: DEFAULT, respond: () => DEFAULT });

cases.push(
  withDefault({
    id: '12.x',
    name: 'compressed and uncompressed messages alternate and are all echoed',
    async run(peer) {
      for (let i = 0; i < 6; i++) {
        const payload = repetitiveText(100 + i * 700);
        if (i % 2 === 0) await peer.sendCompressed(payload, false);
        else await peer.sendText(payload);
        await peer.expectEcho(payload, false);
      }
      await peer.closeHandshake();
    },
  }),
  withDefault({
    id: '12.x',
    name: 'compressed message in 5 fragments (RSV1 on the first only) is echoed',
    async run(peer) {
      const payload = repetitiveText(10_000);
      await peer.sendCompressed(payload, false, 5);
      await peer.expectEcho(payload, false);
      await peer.closeHandshake();
    },
  }),
  withDefault({
    id: 'RFC 7692 7.2.3.1',
    name: 'the RFC\'s "Hello" example (c1 07 f2 48 cd c9 c9 07 00) is echoed',
    async run(peer) {
      await peer.send({ opcode: Opcode.TEXT, rsv1: true, payload: hex('f248cdc9c90700') });
      await peer.expectEcho('Hello', false);
      await peer.closeHandshake();
    },
  }),
  withDefault({
    id: 'RFC 7692 7.2.3.1',
    name: 'the RFC\'s fragmented "Hello" (f2 48 cd | c9 c9 07 00) is echoed',
    async run(peer) {
      await peer.send([
        { opcode: Opcode.TEXT, rsv1: true, fin: false, payload: hex('f248cd') },
        { opcode: Opcode.CONTINUATION, payload: hex('c9c90700') },
      ]);
      await peer.expectEcho('Hello', false);
      await peer.closeHandshake();
    },
  }),
  withDefault({
    id: 'RFC 7692 7.2.3.3',
    name: 'a "Hello" compressed with BFINAL set (f3 48 cd c9 c9 07 00) is echoed',
    async run(peer) {
      await peer.send({ opcode: Opcode.TEXT, rsv1: true, payload: hex('f348cdc9c90700') });
      await peer.expectEcho('Hello', false);
      await peer.closeHandshake();
    },
  }),
  withDefault({
    id: 'RFC 7692 7.2.3.6',
    name: 'a compressed empty message (single 0x00 byte) is echoed as empty',
    async run(peer) {
      await peer.send({ opcode: Opcode.BINARY, rsv1: true, payload: hex('00') });
      await peer.expectEcho(Buffer.alloc(0), true);
      await peer.closeHandshake();
    },
  }),
  withDefault({
    id: '12.x',
    name: 'empty messages compressed with context takeover, before and after non-empty ones, round-trip',
    async run(peer) {
      for (const payload of [Buffer.alloc(0), Buffer.alloc(0), Buffer.from('abc'), Buffer.alloc(0), repetitiveText(300), Buffer.alloc(0)]) {
        await peer.sendCompressed(payload, true);
        await peer.expectEcho(payload, true);
      }
      await peer.closeHandshake();
    },
  }),
  {
    id: '12.x',
    name: 'empty messages compressed without context takeover round-trip',
    offer: header([['server_no_context_takeover'], ['client_no_context_takeover']]),
    respond: () => header([['server_no_context_takeover'], ['client_no_context_takeover']]),
    async run(peer) {
      for (const payload of [Buffer.alloc(0), Buffer.from('abc'), Buffer.alloc(0), Buffer.alloc(0)]) {
        await peer.sendCompressed(payload, false);
        await peer.expectEcho(payload, false);
      }
      await peer.closeHandshake();
    },
  },
  withDefault({
    id: '12.x',
    name: 'RSV1 on a continuation frame fails with 1002',
    async run(peer) {
      await peer.send([
        { opcode: Opcode.TEXT, rsv1: true, fin: false, payload: hex('f248cd') },
        { opcode: Opcode.CONTINUATION, rsv1: true, payload: hex('c9c90700') },
      ]);
      await peer.expectFail(1002);
    },
  }),
  withDefault({
    id: '12.x',
    name: 'RSV1 on a ping fails with 1002',
    async run(peer) {
      await peer.send({ opcode: Opcode.PING, rsv1: true, payload: 'x' });
      await peer.expectFail(1002);
    },
  }),
  withDefault({
    id: '12.x',
    name: 'RSV2 with permessage-deflate on fails with 1002',
    async run(peer) {
      await peer.send({ opcode: Opcode.TEXT, rsv2: true, payload: 'x' });
      await peer.expectFail(1002);
    },
  }),
  withDefault({
    id: '12.x',
    name: 'compressed payload that is not valid deflate data fails with 1007',
    async run(peer) {
      await peer.send({ opcode: Opcode.BINARY, rsv1: true, payload: hex('ffffffffffffffff') });
      await peer.expectFail(1007);
    },
  }),
  withDefault({
    id: '12.x',
    name: 'compressed text that inflates to invalid UTF-8 fails with 1007',
    async run(peer) {
      const bad = zlib.deflateRawSync(Buffer.concat([Buffer.from('valid then '), hex('eda080')]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      await peer.send({ opcode: Opcode.TEXT, rsv1: true, payload: bad.subarray(0, bad.length - 4) });
      await peer.expectFail(1007);
    },
  }),
);
conformanceSuite('12/13 compression', cases, { server: { perMessageDeflate: true }, client: { perMessageDeflate: true } });

// A deflate bomb: 64 MiB of zeros is about 64 KiB compressed.
const LIMIT = MiB;
const bomb = ((): Buffer => {
  const out = zlib.deflateRawSync(Buffer.alloc(64 * MiB), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
})();
const bombs: ConformanceCase[] = [
  withDefault({
    id: '12.x',
    name: 'deflate bomb (64 KiB inflating to 64 MiB) over a 1 MiB message limit fails with 1009',
    async run(peer) {
      await peer.send({ opcode: Opcode.BINARY, rsv1: true, payload: bomb });
      await peer.expectFail(1009, 10_000);
    },
  }),
  withDefault({
    id: '12.x',
    name: 'deflate bomb in 8 fragments fails with 1009 before the last 4 fragments are sent',
    async run(peer) {
      const frames = fragmentSpecs(bomb, Opcode.BINARY, 8, true);
      await peer.send(frames.slice(0, 4));
      await peer.expectFail(1009, 10_000);
      await peer.send(frames.slice(4)).catch(() => {});
    },
  }),
  withDefault({
    id: '12.x',
    name: 'compressed message inflating to exactly the 1 MiB limit is echoed',
    async run(peer) {
      const payload = repetitiveText(LIMIT);
      await peer.sendCompressed(payload, false);
      await peer.expectEcho(payload, false, 15_000);
      await peer.closeHandshake();
    },
  }),
];
const limited = { perMessageDeflate: true, maxMessagePayloadSize: LIMIT };
conformanceSuite('12 compression: deflate bomb', bombs, { server: limited, client: limited });
