// Autobahn case group 3 (reserved bits): with no extension negotiated, any RSV bit fails the
// connection with 1002, on data and control frames alike, and nothing after it is answered.
import { Opcode } from '../../runtime/websocket/constants.js';
import { conformanceSuite, type ConformanceCase } from './harness/suite.js';
import type { FrameSpec } from './harness/wire.js';

const rsv = (bits: number): Pick<FrameSpec, 'rsv1' | 'rsv2' | 'rsv3'> => ({ rsv1: (bits & 4) !== 0, rsv2: (bits & 2) !== 0, rsv3: (bits & 1) !== 0 });

const table: [string, string, FrameSpec, boolean, number][] = [
  ['3.1', 'text with RSV2', { opcode: Opcode.TEXT, payload: 'Hello', ...rsv(2) }, false, 0],
  ['3.2', 'text with RSV1 (no permessage-deflate negotiated) after a valid text', { opcode: Opcode.TEXT, payload: 'Hello', ...rsv(4) }, true, 0],
  ['3.2', 'text with RSV3 after a valid text, then a ping', { opcode: Opcode.TEXT, payload: 'Hello', ...rsv(1) }, true, 0],
  ['3.3', 'text with RSV1|RSV3 after a valid text, written 1 byte at a time', { opcode: Opcode.TEXT, payload: 'Hello', ...rsv(5) }, true, 1],
  ['3.4', 'text with RSV1|RSV2 written 1 byte at a time', { opcode: Opcode.TEXT, payload: 'Hello', ...rsv(6) }, true, 1],
  ['3.5', 'binary with RSV1|RSV3', { opcode: Opcode.BINARY, payload: Buffer.from([0, 1, 2, 255]), ...rsv(5) }, false, 0],
  ['3.6', 'ping with RSV2|RSV3', { opcode: Opcode.PING, payload: 'Hello', ...rsv(3) }, false, 0],
  ['3.6', 'ping with RSV1', { opcode: Opcode.PING, payload: 'Hello', ...rsv(4) }, false, 0],
  ['3.7', 'close with all RSV bits', { opcode: Opcode.CLOSE, payload: Buffer.from([0x03, 0xe8]), ...rsv(7) }, false, 0],
  ['3.7', 'pong with RSV3', { opcode: Opcode.PONG, ...rsv(1) }, false, 0],
  ['3.x', 'continuation with RSV2 inside a fragmented text', { opcode: Opcode.CONTINUATION, payload: 'lo', ...rsv(2) }, false, 0],
];

const cases: ConformanceCase[] = table.map(([id, name, spec, validFirst, chunk]) => ({
  id,
  name: `${name} fails with 1002`,
  async run(peer) {
    const before: FrameSpec[] = [];
    if (validFirst) before.push({ opcode: Opcode.TEXT, payload: 'valid' });
    if (spec.opcode === Opcode.CONTINUATION) before.push({ opcode: Opcode.TEXT, payload: 'Hel', fin: false });
    await peer.send([...before, spec, { opcode: Opcode.PING, payload: 'must not be answered' }], chunk);
    if (validFirst) await peer.expectEcho('valid', false);
    await peer.expectFail(1002);
  },
}));

conformanceSuite('3 reserved bits', cases);
