// Autobahn case group 2 (pings and pongs).
import assert from 'node:assert/strict';
import { Opcode } from '../../runtime/websocket/constants.js';
import { conformanceSuite, type ConformanceCase } from './harness/suite.js';
import type { RawPeer } from './harness/raw-peer.js';
import { asciiText, binaryPattern } from './harness/payloads.js';

async function expectPong(peer: RawPeer, payload: Buffer): Promise<void> {
  const frame = await peer.nextFrame();
  assert.equal(frame.opcode, Opcode.PONG, `expected a pong, got opcode ${frame.opcode}`);
  assert.ok(frame.fin);
  assert.ok(frame.payload.equals(payload), 'pong payload differs from the ping payload');
}

const pingCases: [string, string, Buffer, number][] = [
  ['2.1', 'ping without payload', Buffer.alloc(0), 0],
  ['2.2', 'ping with 10-byte text payload', Buffer.from('Hello, wo!'), 0],
  ['2.3', 'ping with binary payload 0x00..0xff pattern', Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]), 0],
  ['2.4', 'ping with 125-byte binary payload', binaryPattern(125), 0],
  ['2.4', 'ping with 125-byte text payload', asciiText(125), 0],
  ['2.6', 'ping with 125-byte payload written 1 byte at a time', binaryPattern(125), 1],
];

const cases: ConformanceCase[] = pingCases.map(([id, name, payload, chunk]) => ({
  id,
  name: `${name} is answered by a pong with the same payload`,
  async run(peer) {
    await peer.send({ opcode: Opcode.PING, payload }, chunk);
    await expectPong(peer, payload);
    await peer.closeHandshake();
  },
}));

cases.push(
  {
    id: '2.5',
    name: 'ping with 126-byte payload fails with 1002 and gets no pong',
    async run(peer) {
      await peer.send({ opcode: Opcode.PING, payload: binaryPattern(126) });
      await peer.expectFail(1002);
    },
  },
  {
    id: '2.7',
    name: 'unsolicited empty pong is ignored',
    async run(peer) {
      await peer.send({ opcode: Opcode.PONG });
      await peer.expectQuiet();
      await peer.sendText('after pong');
      await peer.expectEcho('after pong', false);
      await peer.closeHandshake();
    },
  },
  {
    id: '2.8',
    name: 'unsolicited pong with payload is ignored',
    async run(peer) {
      await peer.send({ opcode: Opcode.PONG, payload: 'unsolicited pong payload' });
      await peer.expectQuiet();
      await peer.closeHandshake();
    },
  },
  {
    id: '2.9',
    name: 'unsolicited pong then ping: only the ping is answered',
    async run(peer) {
      await peer.send([{ opcode: Opcode.PONG, payload: 'unsolicited' }, { opcode: Opcode.PING, payload: 'solicited' }]);
      await expectPong(peer, Buffer.from('solicited'));
      await peer.expectQuiet();
      await peer.closeHandshake();
    },
  },
);
for (const chunk of [0, 1]) {
  cases.push({
    id: chunk === 0 ? '2.10' : '2.11',
    name: `10 pings in a row${chunk === 0 ? '' : ' written 1 byte at a time'} get 10 pongs in order`,
    async run(peer) {
      const payloads = Array.from({ length: 10 }, (_, i) => Buffer.from(`payload-${i}`));
      await peer.send(payloads.map((payload) => ({ opcode: Opcode.PING, payload })), chunk);
      for (const payload of payloads) await expectPong(peer, payload);
      await peer.closeHandshake();
    },
  });
}

conformanceSuite('2 ping/pong', cases);
