import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  RAWSOCKET_MAGIC,
  RawSocketError,
  RawSocketFrameType,
  RawSocketParser,
  RawSocketSerializer,
  MAX_FRAME_PAYLOAD,
  decodeHandshakeReply,
  decodeHandshakeRequest,
  encodeFrame,
  encodeFrameHeader,
  encodeHandshake,
  encodeHandshakeError,
  lengthExponentFor,
  maxLengthOf,
  type RawSocketHandler,
  type RawSocketProtocolError,
} from '../../runtime/transports/rawsocket-protocol.js';
import { isProtocolError, ProtocolErrorCode } from '../../runtime/wamp/protocol-error.js';
import { SerializerId } from '../../runtime/serializers/types.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

type Event = [string, string];
function recorder(): { handler: RawSocketHandler; events: Event[]; errors: RawSocketProtocolError[] } {
  const events: Event[] = [];
  const errors: RawSocketProtocolError[] = [];
  return {
    events,
    errors,
    handler: {
      onHandshake: (b) => events.push(['handshake', hex(b)]),
      onMessage: (b) => events.push(['message', hex(b)]),
      onPing: (b) => events.push(['ping', hex(b)]),
      onPong: (b) => events.push(['pong', hex(b)]),
      onError: (e) => errors.push(e),
    },
  };
}

function rawsocketError(err: unknown): err is RawSocketProtocolError {
  return isProtocolError(err) && err.code === ProtocolErrorCode.RAWSOCKET;
}

describe('RawSocket handshake', () => {
  test('request/accept octets: magic, LENGTH exponent, SERIALIZER, reserved zeros', () => {
    assert.equal(hex(encodeHandshake({ serializer: RawSocketSerializer.JSON, lengthExponent: 0 })), '7f010000');
    assert.equal(hex(encodeHandshake({ serializer: RawSocketSerializer.CBOR, lengthExponent: 15 })), '7ff30000');
    assert.equal(hex(encodeHandshake({ serializer: RawSocketSerializer.MSGPACK, lengthExponent: 11 })), '7fb20000');
    assert.deepEqual(decodeHandshakeRequest(bytes('7fb20000')), { serializer: 2, lengthExponent: 11 });
    assert.deepEqual(decodeHandshakeReply(bytes('7ff20000'), 2), { serializer: 2, lengthExponent: 15 });
    assert.equal(RAWSOCKET_MAGIC, 0x7f);
    // The serializer IDs agree with the serializers' own table.
    assert.deepEqual([RawSocketSerializer.JSON, RawSocketSerializer.MSGPACK, RawSocketSerializer.CBOR], [SerializerId.JSON, SerializerId.MSGPACK, SerializerId.CBOR]);
  });

  test('LENGTH exponent <-> maximum message length (512 B .. 16 MiB)', () => {
    assert.equal(maxLengthOf(0), 512);
    assert.equal(maxLengthOf(15), 2 ** 24);
    assert.equal(lengthExponentFor(512), 0);
    assert.equal(lengthExponentFor(1023), 0);
    assert.equal(lengthExponentFor(1024), 1);
    assert.equal(lengthExponentFor(1_000_000), 10);
    assert.equal(lengthExponentFor(2 ** 30), 15);
    assert.throws(() => lengthExponentFor(511), /512/);
    assert.throws(() => encodeHandshake({ serializer: 0, lengthExponent: 1 }), /serializer/);
    assert.throws(() => encodeHandshake({ serializer: 1, lengthExponent: 16 }), /exponent/);
  });

  test('error replies carry the error code in the upper nibble', () => {
    assert.equal(hex(encodeHandshakeError(RawSocketError.SERIALIZER_UNSUPPORTED)), '7f100000');
    assert.equal(hex(encodeHandshakeError(RawSocketError.MAX_LENGTH_UNACCEPTABLE)), '7f200000');
    assert.equal(hex(encodeHandshakeError(RawSocketError.RESERVED_BITS_USED)), '7f300000');
    assert.equal(hex(encodeHandshakeError(RawSocketError.MAX_CONNECTIONS_REACHED)), '7f400000');
    assert.throws(() => encodeHandshakeError(0 as RawSocketError), /1\.\.4/);
    for (const [code, text] of [
      ['7f100000', 'serializer unsupported'],
      ['7f200000', 'maximum message length unacceptable'],
      ['7f300000', 'reserved bits'],
      ['7f400000', 'maximum connection count'],
      ['7f900000', 'undefined error 9'],
    ] as const) {
      assert.throws(() => decodeHandshakeReply(bytes(code), 1), (e: unknown) => rawsocketError(e) && e.message.includes(text));
    }
  });

  test('router side: bad requests say which error reply to send', () => {
    const replyOf = (h: string): number | undefined => {
      try {
        decodeHandshakeRequest(bytes(h));
      } catch (e) {
        assert.ok(rawsocketError(e));
        return (e as RawSocketProtocolError).reply ?? -1;
      }
      return undefined;
    };
    assert.equal(replyOf('47455420'), -1); // "GET ": not RawSocket, no reply
    assert.equal(replyOf('7f210001'), RawSocketError.RESERVED_BITS_USED);
    assert.equal(replyOf('7f200000'), RawSocketError.SERIALIZER_UNSUPPORTED);
    assert.equal(replyOf('7f2f0000'), undefined); // reserved serializer 15: decodes; the router decides
    assert.throws(() => decodeHandshakeRequest(bytes('7f01')), rawsocketError);
  });

  test('client side: a reply with another serializer is refused', () => {
    assert.throws(() => decodeHandshakeReply(bytes('7ff20000'), 1), (e: unknown) => rawsocketError(e) && /requested 1/.test(e.message));
    assert.throws(() => decodeHandshakeReply(bytes('7ff20100'), 2), rawsocketError);
  });
});

describe('RawSocket frame prefix', () => {
  test('type and 24-bit big-endian length; X bit only for exactly 2^24', () => {
    assert.equal(hex(encodeFrameHeader(RawSocketFrameType.REGULAR, 0)), '00000000');
    assert.equal(hex(encodeFrameHeader(RawSocketFrameType.REGULAR, 0x112233)), '00112233');
    assert.equal(hex(encodeFrameHeader(RawSocketFrameType.PING, 5)), '01000005');
    assert.equal(hex(encodeFrameHeader(RawSocketFrameType.PONG, MAX_FRAME_PAYLOAD - 1)), '02ffffff');
    assert.equal(hex(encodeFrameHeader(RawSocketFrameType.REGULAR, MAX_FRAME_PAYLOAD)), '08000000');
    assert.throws(() => encodeFrameHeader(RawSocketFrameType.REGULAR, MAX_FRAME_PAYLOAD + 1));
    assert.throws(() => encodeFrameHeader(3 as RawSocketFrameType, 1));
    const [h, p] = encodeFrame(RawSocketFrameType.REGULAR, bytes('abcd'));
    assert.equal(hex(h) + hex(p), '00000002abcd');
  });
});

describe('RawSocket parser', () => {
  test('handshake, then regular, ping and pong messages', () => {
    const r = recorder();
    const p = new RawSocketParser(r.handler, { expectHandshake: true });
    p.push(bytes('7f' + 'f1' + '0000' + '00000003' + '5b315d' + '01000002' + 'cafe' + '02000000'));
    assert.deepEqual(r.events, [
      ['handshake', '7ff10000'],
      ['message', '5b315d'],
      ['ping', 'cafe'],
      ['pong', ''],
    ]);
    assert.equal(r.errors.length, 0);
  });

  test('any chunking gives the same events (property)', () => {
    const stream = bytes('7f320000' + '00000005' + '0102030405' + '01000001' + 'aa' + '00000000' + '00000102' + 'ee'.repeat(258));
    const whole = recorder();
    new RawSocketParser(whole.handler, { expectHandshake: true }).push(stream);
    assert.equal(whole.events.length, 5);
    fc.assert(
      fc.property(fc.array(fc.nat(stream.length), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const r = recorder();
        const p = new RawSocketParser(r.handler, { expectHandshake: true });
        let last = 0;
        for (const c of [...points, stream.length]) {
          p.push(stream.subarray(last, c));
          last = c;
        }
        assert.deepEqual(r.events, whole.events);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  test('payloads inside one chunk are views; split payloads are copied whole', () => {
    const chunk = bytes('00000002abcd');
    let got: Uint8Array | undefined;
    const p = new RawSocketParser({ onMessage: (b) => (got = b), onPing() {}, onPong() {}, onError: assert.fail });
    p.push(chunk);
    assert.equal(got?.buffer, chunk.buffer);
    p.push(bytes('00000002ab'));
    p.push(bytes('cd'));
    assert.equal(hex(got as Uint8Array), 'abcd');
  });

  test('messages above the negotiated limit fail the connection', () => {
    const r = recorder();
    const p = new RawSocketParser(r.handler, { maxPayload: 4 });
    p.push(bytes('00000004aabbccdd'));
    p.maxPayload = 2;
    p.push(bytes('00000003aabbcc' + '00000001ff'));
    assert.deepEqual(r.events, [['message', 'aabbccdd']]);
    assert.equal(r.errors.length, 1);
    assert.ok(rawsocketError(r.errors[0]));
    assert.match(r.errors[0]?.message ?? '', /exceeds the limit of 2/);
    assert.ok(p.failed);
    assert.throws(() => (p.maxPayload = MAX_FRAME_PAYLOAD + 1));
  });

  test('reserved bits, reserved types and an X bit with length are violations', () => {
    for (const h of ['10000000', '80000001', '03000000', '07000000', '08000001']) {
      const r = recorder();
      const p = new RawSocketParser(r.handler);
      p.push(bytes(h + '00'));
      p.push(bytes('00000001ff'));
      assert.equal(r.errors.length, 1, h);
      assert.equal(r.events.length, 0, `${h}: nothing delivered after a violation`);
    }
  });

  test('exactly 2^24 octets with the X bit is accepted', () => {
    let size = -1;
    const p = new RawSocketParser({ onMessage: (b) => (size = b.length), onPing() {}, onPong() {}, onError: assert.fail });
    const frame = new Uint8Array(4 + MAX_FRAME_PAYLOAD);
    frame.set(encodeFrameHeader(RawSocketFrameType.REGULAR, MAX_FRAME_PAYLOAD));
    p.push(frame.subarray(0, 1000));
    p.push(frame.subarray(1000));
    assert.equal(size, MAX_FRAME_PAYLOAD);
  });

  test('random streams: events or exactly one error, never an exception (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (stream, hs) => {
        const r = recorder();
        const p = new RawSocketParser(r.handler, { expectHandshake: hs, maxPayload: 1024 });
        p.push(stream.subarray(0, 7));
        p.push(stream.subarray(7));
        assert.ok(r.errors.length <= 1);
      }),
      { numRuns: 2000, seed: 5 },
    );
  });
});
