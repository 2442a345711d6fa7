// Autobahn case group 1 (framing): text and binary messages of every length class are echoed,
// whether the frame arrives in one write or a byte at a time.
import { conformanceSuite, type ConformanceCase } from './harness/suite.js';
import { asciiText, binaryPattern } from './harness/payloads.js';

const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536];
// 1-byte writes for the small classes; 997-byte writes (a prime, so boundaries wander) for the rest.
const chunkFor = (length: number): number => (length <= 128 ? 1 : 997);

const cases: ConformanceCase[] = [];
for (const [group, binary] of [['1.1', false], ['1.2', true]] as const) {
  const kind = binary ? 'binary' : 'text';
  for (const length of LENGTHS) {
    const payload = binary ? binaryPattern(length) : asciiText(length);
    cases.push({
      id: group,
      name: `${kind} message of ${length} B is echoed`,
      async run(peer) {
        await (binary ? peer.sendBinary(payload) : peer.sendText(payload));
        await peer.expectEcho(payload, binary);
        await peer.closeHandshake();
      },
    });
    cases.push({
      id: group,
      name: `${kind} message of ${length} B written in ${chunkFor(length)}-byte chunks is echoed`,
      async run(peer) {
        await (binary ? peer.sendBinary(payload, chunkFor(length)) : peer.sendText(payload, chunkFor(length)));
        await peer.expectEcho(payload, binary);
        await peer.closeHandshake();
      },
    });
  }
}
cases.push({
  id: '1.1',
  name: '125-byte text in the 16-bit length form (non-minimal, still legal) is echoed',
  async run(peer) {
    const payload = asciiText(125);
    await peer.send({ opcode: 0x1, payload, lengthEncoding: 'u16' });
    await peer.expectEcho(payload, false);
    await peer.closeHandshake();
  },
});
cases.push({
  id: '1.2',
  name: 'binary frame with a 64-bit length whose top bit is set fails with 1002',
  async run(peer) {
    const header = Buffer.from([0x82, (peer.role === 'client' ? 0x80 : 0) | 127, 0x80, 0, 0, 0, 0, 0, 0, 1]);
    await peer.write(peer.role === 'client' ? Buffer.concat([header, Buffer.alloc(4)]) : header);
    await peer.expectFail(1002);
  },
});

conformanceSuite('1 framing', cases);
