// Autobahn case group 4 (opcodes): reserved non-control opcodes 3-7 and control opcodes 0xB-0xF
// fail the connection with 1002, also right after a valid message and with a payload.
import { Opcode } from '../../runtime/websocket/constants.js';
import { conformanceSuite, type ConformanceCase } from './harness/suite.js';

const cases: ConformanceCase[] = [];
for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
  const id = opcode < 8 ? '4.1' : '4.2';
  const hex = `0x${opcode.toString(16)}`;
  cases.push(
    {
      id,
      name: `reserved opcode ${hex} without payload fails with 1002`,
      async run(peer) {
        await peer.send({ opcode });
        await peer.expectFail(1002);
      },
    },
    {
      id,
      name: `reserved opcode ${hex} with payload after a valid text, then a ping, fails with 1002`,
      async run(peer) {
        await peer.send([{ opcode: Opcode.TEXT, payload: 'Hello' }, { opcode, payload: 'reserved' }, { opcode: Opcode.PING }]);
        await peer.expectEcho('Hello', false);
        await peer.expectFail(1002);
      },
    },
  );
}

conformanceSuite('4 opcodes', cases);
