// Autobahn case group 10 (miscellaneous): automatic fragmentation of outgoing messages.
import assert from 'node:assert/strict';
import { Opcode } from '../../runtime/websocket/constants.js';
import { conformanceSuite, type ConformanceCase } from './harness/suite.js';
import { asciiText, binaryPattern } from './harness/payloads.js';

const FRAGMENT = 1300;

const cases: ConformanceCase[] = [];
for (const binary of [false, true]) {
  const kind = binary ? 'binary' : 'text';
  cases.push(
    {
      id: '10.1.1',
      name: `${kind} message of 65536 B is echoed in frames of at most autoFragmentSize (${FRAGMENT})`,
      async run(peer) {
        const payload = binary ? binaryPattern(65536) : asciiText(65536);
        await peer.send({ opcode: binary ? Opcode.BINARY : Opcode.TEXT, payload });
        const message = await peer.expectEcho(payload, binary);
        assert.equal(message.frames.length, Math.ceil(65536 / FRAGMENT), 'wrong number of frames');
        for (const f of message.frames) assert.ok(f.payload.length <= FRAGMENT, `frame of ${f.payload.length} B`);
        await peer.closeHandshake();
      },
    },
    {
      id: '10.1.x',
      name: `${kind} message smaller than autoFragmentSize is echoed in one frame`,
      async run(peer) {
        const payload = binary ? binaryPattern(FRAGMENT) : asciiText(FRAGMENT);
        await peer.send({ opcode: binary ? Opcode.BINARY : Opcode.TEXT, payload });
        const message = await peer.expectEcho(payload, binary);
        assert.equal(message.frames.length, 1);
        await peer.closeHandshake();
      },
    },
  );
}
cases.push({
  id: '10.1.x',
  name: 'multi-byte text over autoFragmentSize is reassembled intact (fragments may split code points)',
  async run(peer) {
    const payload = Buffer.from('κόσμε😀'.repeat(400));
    await peer.sendText(payload);
    await peer.expectEcho(payload, false);
    await peer.closeHandshake();
  },
});

const options = { autoFragmentSize: FRAGMENT };
conformanceSuite('10 misc', cases, { server: options, client: options });
