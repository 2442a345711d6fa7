// Autobahn case group 7 (closing handshake): valid codes are echoed, invalid codes and payloads
// fail with 1002 (1007 for a reason that is not UTF-8), nothing after a close is answered, and
// the TCP connection always ends within the bound.
import assert from 'node:assert/strict';
import { CloseCode, Opcode } from '../../runtime/websocket/constants.js';
import { conformanceSuite, type ConformanceCase } from './harness/suite.js';
import { asciiText } from './harness/payloads.js';
import { closePayload } from './harness/wire.js';

const VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

const cases: ConformanceCase[] = [];

for (const code of VALID_CODES) {
  cases.push({
    id: '7.7',
    name: `close with valid code ${code} is echoed with ${code} and the connection ends`,
    async run(peer, ctx) {
      await peer.closeHandshake(code, 'bye');
      if (ctx.client !== null) {
        const report = await ctx.client.closed;
        assert.equal(report.code, code, 'client reported another close code');
        assert.equal(report.wasClean, true, 'client reported an unclean close');
      }
    },
  });
}
for (const code of INVALID_CODES) {
  cases.push({
    id: '7.9',
    name: `close with invalid code ${code} fails with 1002`,
    async run(peer) {
      await peer.send({ opcode: Opcode.CLOSE, payload: closePayload(code) });
      await peer.expectFail(CloseCode.PROTOCOL_ERROR);
    },
  });
}

cases.push(
  {
    id: '7.1.1',
    name: 'text echoed, then a clean close 1000',
    async run(peer) {
      await peer.sendText('Hello World!');
      await peer.expectEcho('Hello World!', false);
      await peer.closeHandshake(1000);
    },
  },
  {
    id: '7.1.2',
    name: 'a second close after the first is ignored',
    async run(peer) {
      await peer.send([{ opcode: Opcode.CLOSE, payload: closePayload(1000) }, { opcode: Opcode.CLOSE, payload: closePayload(1000) }]);
      const { code } = await peer.expectCloseFrame();
      assert.equal(code, 1000);
      await peer.expectQuiet();
      await peer.finishClose();
    },
  },
  {
    id: '7.1.3',
    name: 'a ping after the close gets no pong',
    async run(peer) {
      await peer.send([{ opcode: Opcode.CLOSE, payload: closePayload(1000) }, { opcode: Opcode.PING, payload: 'late ping' }]);
      const { code } = await peer.expectCloseFrame();
      assert.equal(code, 1000);
      await peer.expectQuiet();
      await peer.finishClose();
    },
  },
  {
    id: '7.1.4',
    name: 'a text after the close is not echoed',
    async run(peer) {
      await peer.send([{ opcode: Opcode.CLOSE, payload: closePayload(1000) }, { opcode: Opcode.TEXT, payload: 'late text' }]);
      const { code } = await peer.expectCloseFrame();
      assert.equal(code, 1000);
      await peer.expectQuiet();
      await peer.finishClose();
    },
  },
  {
    id: '7.1.5',
    name: 'close inside an open fragmented message is honoured; the late continuation is ignored',
    async run(peer) {
      await peer.send([
        { opcode: Opcode.TEXT, payload: 'fragment1', fin: false },
        { opcode: Opcode.CLOSE, payload: closePayload(1000) },
        { opcode: Opcode.CONTINUATION, payload: 'fragment2' },
      ]);
      const { code } = await peer.expectCloseFrame();
      assert.equal(code, 1000);
      await peer.expectQuiet();
      await peer.finishClose();
    },
  },
  {
    id: '7.1.6',
    name: 'a 256 KiB text, a ping and a close in one write: echo and pong may come, then the close echo',
    async run(peer) {
      const big = asciiText(256 * 1024);
      await peer.send([{ opcode: Opcode.TEXT, payload: big }, { opcode: Opcode.PING, payload: 'ping' }, { opcode: Opcode.CLOSE, payload: closePayload(1000) }]);
      for (let i = 0; i < 3; i++) {
        const frame = await peer.nextFrame();
        if (frame.opcode === Opcode.CLOSE) {
          assert.equal(frame.payload.readUInt16BE(0), 1000);
          await peer.finishClose();
          return;
        }
        assert.ok(frame.opcode === Opcode.TEXT || frame.opcode === Opcode.CONTINUATION || frame.opcode === Opcode.PONG, `unexpected opcode ${frame.opcode}`);
        if (frame.opcode !== Opcode.PONG && !frame.fin) i--;
      }
      assert.fail('no close echo after the echo and the pong');
    },
  },
  {
    id: '7.3.1',
    name: 'close without payload is answered with an empty close or 1000',
    async run(peer, ctx) {
      await peer.closeHandshake(null, '', [null, 1000]);
      if (ctx.client !== null) assert.equal((await ctx.client.closed).code, CloseCode.NO_STATUS, 'a close without code must be reported as 1005');
    },
  },
  {
    id: '7.3.2',
    name: 'close with a 1-byte payload fails with 1002',
    async run(peer) {
      await peer.send({ opcode: Opcode.CLOSE, payload: Buffer.from([0x03]) });
      await peer.expectFail(1002);
    },
  },
  {
    id: '7.3.3',
    name: 'close 1000 without reason is echoed',
    async run(peer) {
      await peer.closeHandshake(1000);
    },
  },
  {
    id: '7.3.4',
    name: 'close 1000 with a short reason is echoed',
    async run(peer, ctx) {
      await peer.closeHandshake(1000, 'Hello World!');
      if (ctx.client !== null) assert.equal((await ctx.client.closed).reason, 'Hello World!');
    },
  },
  {
    id: '7.3.5',
    name: 'close 1000 with a 123-byte reason (125-byte payload, the maximum) is echoed',
    async run(peer) {
      await peer.closeHandshake(1000, 'r'.repeat(123));
    },
  },
  {
    id: '7.3.6',
    name: 'close with a 124-byte reason (126-byte payload) fails with 1002',
    async run(peer) {
      await peer.send({ opcode: Opcode.CLOSE, payload: closePayload(1000, 'r'.repeat(124)) });
      await peer.expectFail(1002);
    },
  },
  {
    id: '7.5.1',
    name: 'close reason that is not valid UTF-8 fails with 1007',
    async run(peer) {
      await peer.send({ opcode: Opcode.CLOSE, payload: closePayload(1000, Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex')) });
      await peer.expectFail(1007);
    },
  },
  {
    id: '7.5.x',
    name: 'close reason with a multi-byte UTF-8 character is echoed',
    async run(peer) {
      await peer.closeHandshake(1000, 'κόσμε 😀');
    },
  },
  {
    id: '7.x',
    name: 'close written 1 byte at a time is echoed',
    async run(peer) {
      await peer.send({ opcode: Opcode.CLOSE, payload: closePayload(4000, 'slow') }, 1);
      const { code } = await peer.expectCloseFrame();
      assert.equal(code, 4000);
      await peer.finishClose();
    },
  },
);

conformanceSuite('7 closing', cases);
