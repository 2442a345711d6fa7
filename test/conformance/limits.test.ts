// Autobahn case group 9 (limits and performance): large messages up to 16 MiB, fragmented and
// written in chunks of various sizes, are echoed; and configured frame/message size limits
// fail the connection with 1009, as soon as the announced or accumulated size passes them.
import { Opcode } from '../../runtime/websocket/constants.js';
import { conformanceSuite, type ConformanceCase } from './harness/suite.js';
import { fragmentsOfSize } from './harness/raw-peer.js';
import { asciiText, binaryPattern, KiB, MiB } from './harness/payloads.js';

const LONG_WAIT = 30_000;
const payloadOf = (binary: boolean, length: number): Buffer => (binary ? binaryPattern(length) : asciiText(length));

const big: ConformanceCase[] = [];
for (const binary of [false, true]) {
  const kind = binary ? 'binary' : 'text';
  const opcode = binary ? Opcode.BINARY : Opcode.TEXT;
  for (const length of [64 * KiB, 256 * KiB, MiB, 4 * MiB, 16 * MiB]) {
    big.push({
      id: binary ? '9.2' : '9.1',
      name: `${kind} message of ${length / KiB} KiB in one frame is echoed`,
      async run(peer) {
        const payload = payloadOf(binary, length);
        await peer.send({ opcode, payload });
        await peer.expectEcho(payload, binary, LONG_WAIT);
        await peer.closeHandshake();
      },
    });
  }
  for (const frameSize of [64, KiB, 16 * KiB, 256 * KiB]) {
    big.push({
      id: binary ? '9.4' : '9.3',
      name: `${kind} message of 1 MiB in frames of ${frameSize} B is echoed`,
      async run(peer) {
        const payload = payloadOf(binary, MiB);
        await peer.send(fragmentsOfSize(payload, opcode, frameSize));
        await peer.expectEcho(payload, binary, LONG_WAIT);
        await peer.closeHandshake();
      },
    });
  }
  big.push({
    id: binary ? '9.4.1' : '9.3.1',
    name: `${kind} message of 4 MiB in frames of 64 B (65,536 frames, within the default maxFramesPerMessage) is echoed`,
    async run(peer) {
      const payload = payloadOf(binary, 4 * MiB);
      await peer.send(fragmentsOfSize(payload, opcode, 64));
      await peer.expectEcho(payload, binary, LONG_WAIT);
      await peer.closeHandshake();
    },
  });
  for (const chunk of [256, 4 * KiB, 64 * KiB]) {
    big.push({
      id: binary ? '9.6' : '9.5',
      name: `${kind} message of 1 MiB in one frame, written in ${chunk}-byte chunks, is echoed`,
      async run(peer) {
        const payload = payloadOf(binary, MiB);
        await peer.send({ opcode, payload }, chunk);
        await peer.expectEcho(payload, binary, LONG_WAIT);
        await peer.closeHandshake();
      },
    });
  }
  big.push({
    id: binary ? '9.8' : '9.7',
    name: `1000 ${kind} messages of 16 B pipelined are all echoed in order`,
    async run(peer) {
      const messages = Array.from({ length: 1000 }, (_, i) => Buffer.from(`message ${String(i).padStart(8, '0')}`));
      await peer.send(messages.map((payload) => ({ opcode, payload })));
      for (const m of messages) await peer.expectEcho(m, binary, LONG_WAIT);
      await peer.closeHandshake();
    },
  });
}
conformanceSuite('9 limits: large messages', big);

const FRAME_LIMIT = 16 * KiB;
const MESSAGE_LIMIT = 64 * KiB;
const limited: ConformanceCase[] = [
  {
    id: '9.x',
    name: `binary frame of exactly maxFramePayloadSize (${FRAME_LIMIT} B) is echoed`,
    async run(peer) {
      const payload = binaryPattern(FRAME_LIMIT);
      await peer.sendBinary(payload);
      await peer.expectEcho(payload, true);
      await peer.closeHandshake();
    },
  },
  {
    id: '9.x',
    name: 'binary frame 1 byte over maxFramePayloadSize fails with 1009',
    async run(peer) {
      await peer.sendBinary(binaryPattern(FRAME_LIMIT + 1));
      await peer.expectFail(1009);
    },
  },
  {
    id: '9.x',
    name: 'frame header announcing 1 MiB (payload never sent) fails with 1009 at once',
    async run(peer) {
      const frame = peer.encode({ opcode: Opcode.BINARY, payload: Buffer.alloc(MiB) });
      await peer.write(frame.subarray(0, 14));
      await peer.expectFail(1009, 2_000);
    },
  },
  {
    id: '9.x',
    name: `text message of exactly maxMessagePayloadSize (${MESSAGE_LIMIT} B) in 4 frames is echoed`,
    async run(peer) {
      const payload = asciiText(MESSAGE_LIMIT);
      await peer.send(fragmentsOfSize(payload, Opcode.TEXT, FRAME_LIMIT));
      await peer.expectEcho(payload, false);
      await peer.closeHandshake();
    },
  },
  {
    id: '9.x',
    name: 'text message 1 byte over maxMessagePayloadSize in 5 frames fails with 1009',
    async run(peer) {
      await peer.send(fragmentsOfSize(asciiText(MESSAGE_LIMIT + 1), Opcode.TEXT, FRAME_LIMIT));
      await peer.expectFail(1009);
    },
  },
  {
    id: '9.x',
    name: 'message passing maxMessagePayloadSize fails with 1009 before its last fragment is sent',
    async run(peer) {
      const frames = fragmentsOfSize(binaryPattern(MESSAGE_LIMIT * 2), Opcode.BINARY, FRAME_LIMIT);
      await peer.send(frames.slice(0, 5));
      await peer.expectFail(1009, 2_000);
      await peer.send(frames.slice(5)).catch(() => {});
    },
  },
];
const limits = { maxFramePayloadSize: FRAME_LIMIT, maxMessagePayloadSize: MESSAGE_LIMIT };
conformanceSuite('9 limits: configured maxima', limited, { server: limits, client: limits });
