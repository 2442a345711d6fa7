// Autobahn case group 5 (fragmentation): fragmented messages are reassembled, control frames
// may sit between fragments, and every continuation rule violation fails with 1002.
import assert from 'node:assert/strict';
import { Opcode } from '../../runtime/websocket/constants.js';
import { conformanceSuite, type ConformanceCase } from './harness/suite.js';
import { fragmentSpecs, type RawPeer } from './harness/raw-peer.js';
import { asciiText, binaryPattern } from './harness/payloads.js';
import type { FrameSpec } from './harness/wire.js';

const T = Opcode.TEXT;
const B = Opcode.BINARY;
const C = Opcode.CONTINUATION;

async function expectPongs(peer: RawPeer, payloads: string[]): Promise<void> {
  for (const p of payloads) {
    const frame = await peer.nextFrame();
    assert.equal(frame.opcode, Opcode.PONG, `expected pong "${p}", got opcode ${frame.opcode}`);
    assert.equal(frame.payload.toString(), p);
  }
}

const cases: ConformanceCase[] = [];

// Protocol violations: the frames, whether a valid message comes first and is echoed.
const violations: [string, string, FrameSpec[], string | null][] = [
  ['5.1', 'ping split in 2 fragments', [{ opcode: Opcode.PING, payload: 'frag1', fin: false }, { opcode: C, payload: 'frag2' }], null],
  ['5.2', 'pong split in 2 fragments', [{ opcode: Opcode.PONG, payload: 'frag1', fin: false }, { opcode: C, payload: 'frag2' }], null],
  ['5.2', 'close split in 2 fragments', [{ opcode: Opcode.CLOSE, payload: Buffer.from([0x03]), fin: false }, { opcode: C, payload: Buffer.from([0xe8]) }], null],
  ['5.9', 'continuation (FIN) without a started message', [{ opcode: C, payload: 'fragment1' }, { opcode: T, payload: 'fragment2' }], null],
  ['5.12', 'continuation (no FIN) without a started message', [{ opcode: C, payload: 'fragment1', fin: false }, { opcode: T, payload: 'fragment2' }], null],
  ['5.15', 'text, then continuation (no FIN) with no open message', [
    { opcode: T, payload: 'fragment1', fin: false },
    { opcode: C, payload: 'fragment2' },
    { opcode: C, payload: 'fragment3', fin: false },
    { opcode: T, payload: 'fragment4' },
  ], 'fragment1fragment2'],
  ['5.16', 'continuation without start, repeated after a whole fragmented message', [
    { opcode: C, payload: 'fragment1', fin: false },
    { opcode: T, payload: 'fragment2', fin: false },
    { opcode: C, payload: 'fragment3' },
  ], null],
  ['5.18', 'new text frame while a fragmented text is open', [{ opcode: T, payload: 'fragment1', fin: false }, { opcode: T, payload: 'fragment2' }], null],
  ['5.18', 'new binary frame while a fragmented text is open', [{ opcode: T, payload: 'fragment1', fin: false }, { opcode: B, payload: 'fragment2' }], null],
];
for (const [id, name, frames, echo] of violations) {
  for (const chunk of [0, 1]) {
    cases.push({
      id,
      name: `${name}${chunk === 1 ? ' (1-byte writes)' : ''} fails with 1002`,
      async run(peer) {
        await peer.send(frames, chunk);
        if (echo !== null) await peer.expectEcho(echo, false);
        await peer.expectFail(1002);
      },
    });
  }
}

// Valid fragmentation.
for (const [opcode, kind] of [[T, 'text'], [B, 'binary']] as const) {
  const binary = opcode === B;
  const payload = binary ? binaryPattern(1000) : asciiText(1000);
  for (const count of [2, 3, 10, 100]) {
    for (const chunk of [0, 1]) {
      if (chunk === 1 && count > 10) continue;
      cases.push({
        id: '5.3',
        name: `${kind} in ${count} fragments${chunk === 1 ? ' (1-byte writes)' : ''} is echoed`,
        async run(peer) {
          await peer.send(fragmentSpecs(payload, opcode, count), chunk);
          await peer.expectEcho(payload, binary);
          await peer.closeHandshake();
        },
      });
    }
  }
  cases.push({
    id: '5.x',
    name: `${kind} in 1-byte fragments (20 frames) is echoed`,
    async run(peer) {
      const small = payload.subarray(0, 20);
      await peer.send(fragmentSpecs(small, opcode, 20));
      await peer.expectEcho(small, binary);
      await peer.closeHandshake();
    },
  });
  cases.push({
    id: '5.x',
    name: `${kind} with empty fragments (empty start, empty continuations, empty end) is echoed`,
    async run(peer) {
      await peer.send([
        { opcode, fin: false },
        { opcode: C, payload: payload.subarray(0, 5), fin: false },
        { opcode: C, fin: false },
        { opcode: C, payload: payload.subarray(5, 10), fin: false },
        { opcode: C },
      ]);
      await peer.expectEcho(payload.subarray(0, 10), binary);
      await peer.closeHandshake();
    },
  });
}

for (const chunk of [0, 1]) {
  const suffix = chunk === 1 ? ' (1-byte writes)' : '';
  cases.push(
    {
      id: chunk === 0 ? '5.6' : '5.8',
      name: `ping between two text fragments is answered before the echo${suffix}`,
      async run(peer) {
        await peer.send([{ opcode: T, payload: 'fragment1', fin: false }, { opcode: Opcode.PING, payload: 'ping payload' }, { opcode: C, payload: 'fragment2' }], chunk);
        await expectPongs(peer, ['ping payload']);
        await peer.expectEcho('fragment1fragment2', false);
        await peer.closeHandshake();
      },
    },
    {
      id: '5.x',
      name: `unsolicited pong between two text fragments is ignored${suffix}`,
      async run(peer) {
        await peer.send([{ opcode: T, payload: 'fragment1', fin: false }, { opcode: Opcode.PONG, payload: 'pong payload' }, { opcode: C, payload: 'fragment2' }], chunk);
        const message = await peer.expectEcho('fragment1fragment2', false);
        assert.equal(message.interleaved.length, 0, 'a control frame answered the unsolicited pong');
        await peer.closeHandshake();
      },
    },
  );
}
cases.push({
  id: '5.19',
  name: 'text in 5 fragments with a ping after fragments 1 and 4, sent in pieces over time, gets both pongs then the echo',
  async run(peer) {
    await peer.send([{ opcode: T, payload: 'fragment1', fin: false }, { opcode: C, payload: 'fragment2', fin: false }, { opcode: Opcode.PING, payload: 'pongme 1!' }]);
    await expectPongs(peer, ['pongme 1!']);
    await peer.send([{ opcode: C, payload: 'fragment3', fin: false }, { opcode: C, payload: 'fragment4', fin: false }, { opcode: Opcode.PING, payload: 'pongme 2!' }]);
    await expectPongs(peer, ['pongme 2!']);
    await peer.send({ opcode: C, payload: 'fragment5' });
    await peer.expectEcho('fragment1fragment2fragment3fragment4fragment5', false);
    await peer.closeHandshake();
  },
});
cases.push({
  id: '5.20',
  name: 'fragments with 10 pings between them, 1-byte writes: 10 pongs then the echo',
  async run(peer) {
    const frames: FrameSpec[] = [{ opcode: T, payload: 'start', fin: false }];
    const pings: string[] = [];
    for (let i = 0; i < 10; i++) {
      pings.push(`p${i}`);
      frames.push({ opcode: Opcode.PING, payload: `p${i}` }, { opcode: C, payload: `-${i}`, fin: i === 9 });
    }
    await peer.send(frames, 1);
    await expectPongs(peer, pings);
    await peer.expectEcho('start-0-1-2-3-4-5-6-7-8-9', false);
    await peer.closeHandshake();
  },
});

conformanceSuite('5 fragmentation', cases);
