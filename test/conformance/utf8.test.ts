// Autobahn case group 6 (UTF-8 handling): valid text of every sequence length is echoed, in one
// frame and split at every byte position; every kind of invalid text fails with 1007; and an
// invalid byte fails the connection fast, before the rest of the message is even sent.
import { Opcode } from '../../runtime/websocket/constants.js';
import { conformanceSuite, type ConformanceCase } from './harness/suite.js';
import { fragmentSpecs } from './harness/raw-peer.js';

const T = Opcode.TEXT;
const C = Opcode.CONTINUATION;
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Valid: [label, bytes]. */
const VALID: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['"Hello-µ@ßöäüàá-UTF-8!!"', Buffer.from('Hello-µ@ßöäüàá-UTF-8!!')],
  ['Greek "κόσμε" (2- and 3-byte)', hex('cebae1bdb9cf83cebcceb5')],
  ['first 1-byte U+0000', hex('00')],
  ['first 2-byte U+0080', hex('c280')],
  ['first 3-byte U+0800', hex('e0a080')],
  ['first 4-byte U+10000', hex('f0908080')],
  ['last 1-byte U+007F', hex('7f')],
  ['last 2-byte U+07FF', hex('dfbf')],
  ['last 3-byte U+FFFF (noncharacter, valid)', hex('efbfbf')],
  ['last valid U+10FFFF', hex('f48fbfbf')],
  ['U+D7FF (below surrogates)', hex('ed9fbf')],
  ['U+E000 (above surrogates)', hex('ee8080')],
  ['U+FFFD replacement character', hex('efbfbd')],
  ['U+FFFE noncharacter', hex('efbfbe')],
  ['U+1FFFE noncharacter (4-byte)', hex('f09fbfbe')],
  ['emoji U+1F600 mixed with ASCII', Buffer.from('a😀b😀c')],
];

/** Invalid: [Autobahn group, label, bytes]. */
const INVALID: [string, string, Buffer][] = [
  ['6.3', '"κόσμε" with a surrogate inside', hex('cebae1bdb9cf83cebcceb5eda080656469746564')],
  ['6.8', '5-byte sequence', hex('f888808080')],
  ['6.8', '6-byte sequence', hex('fc8480808080')],
  ['6.9', 'U+110000 (above U+10FFFF)', hex('f4908080')],
  ['6.9', 'lead byte F5', hex('f5808080')],
  ['6.9', 'lead byte F7 BF BF BF', hex('f7bfbfbf')],
  ['6.10', 'lone continuation 0x80', hex('80')],
  ['6.10', 'lone continuation 0xBF', hex('bf')],
  ['6.10', 'continuations 80 BF 80 BF', hex('80bf80bf')],
  ['6.11', 'lonely 2-byte lead C2 followed by space', hex('c220')],
  ['6.11', 'lonely 3-byte lead E0 followed by space', hex('e020')],
  ['6.11', 'lonely 4-byte lead F0 followed by space', hex('f020')],
  ['6.12', '2-byte sequence missing its last byte', hex('df')],
  ['6.12', '3-byte sequence missing its last byte', hex('efbf')],
  ['6.12', '4-byte sequence missing its last byte', hex('f48fbf')],
  ['6.12', 'text ending inside a 4-byte sequence', Buffer.concat([Buffer.from('abc'), hex('f09f98')])],
  ['6.13', 'impossible byte FE', hex('fe')],
  ['6.13', 'impossible byte FF', hex('ff')],
  ['6.13', 'FE FE FF FF', hex('fefeffff')],
  ['6.14', 'overlong "/" in 2 bytes', hex('c0af')],
  ['6.14', 'overlong "/" in 3 bytes', hex('e080af')],
  ['6.14', 'overlong "/" in 4 bytes', hex('f08080af')],
  ['6.14', 'maximum overlong 2 bytes C1 BF', hex('c1bf')],
  ['6.14', 'maximum overlong 3 bytes E0 9F BF', hex('e09fbf')],
  ['6.14', 'maximum overlong 4 bytes F0 8F BF BF', hex('f08fbfbf')],
  ['6.14', 'overlong NUL C0 80', hex('c080')],
  ['6.14', 'overlong NUL E0 80 80', hex('e08080')],
  ['6.15', 'surrogate U+D800', hex('eda080')],
  ['6.15', 'surrogate U+DB7F', hex('edadbf')],
  ['6.15', 'surrogate U+DBFF', hex('edafbf')],
  ['6.15', 'surrogate U+DC00', hex('edb080')],
  ['6.15', 'surrogate U+DFFF', hex('edbfbf')],
  ['6.16', 'paired surrogates U+D800 U+DC00 (CESU-8)', hex('eda080edb080')],
  ['6.x', 'valid text then an invalid byte deep inside (byte 3000)', Buffer.concat([Buffer.from('x'.repeat(3000)), hex('ff'), Buffer.from('tail')])],
];

const cases: ConformanceCase[] = [];

for (const [label, bytes] of VALID) {
  cases.push({
    id: '6.2',
    name: `valid ${label} in one frame is echoed`,
    async run(peer) {
      await peer.sendText(bytes);
      await peer.expectEcho(bytes, false);
      await peer.closeHandshake();
    },
  });
}
// Every split position of multi-byte texts, on one connection per text.
for (const [label, bytes] of VALID.filter(([, b]) => b.length > 1 && b.some((x) => x >= 0x80))) {
  cases.push({
    id: '6.2',
    name: `valid ${label} split into 2 fragments at every byte position is echoed each time`,
    async run(peer) {
      for (let at = 0; at <= bytes.length; at++) {
        await peer.send([
          { opcode: T, payload: bytes.subarray(0, at), fin: false },
          { opcode: C, payload: bytes.subarray(at) },
        ]);
        await peer.expectEcho(bytes, false);
      }
      await peer.closeHandshake();
    },
  });
}
cases.push({
  id: '6.4',
  name: 'valid "κόσμε" and emoji in 1-byte fragments, 1-byte writes, is echoed',
  async run(peer) {
    const bytes = Buffer.from('κόσμε😀');
    await peer.send(fragmentSpecs(bytes, T, bytes.length), 1);
    await peer.expectEcho(bytes, false);
    await peer.closeHandshake();
  },
});
cases.push({
  id: '6.1',
  name: 'empty text in three empty fragments is echoed',
  async run(peer) {
    await peer.send([{ opcode: T, fin: false }, { opcode: C, fin: false }, { opcode: C }]);
    await peer.expectEcho('', false);
    await peer.closeHandshake();
  },
});

for (const [id, label, bytes] of INVALID) {
  cases.push({
    id,
    name: `invalid ${label} in one frame fails with 1007`,
    async run(peer) {
      await peer.sendText(bytes);
      await peer.expectFail(1007);
    },
  });
  cases.push({
    id,
    name: `invalid ${label} in 1-byte fragments fails with 1007`,
    async run(peer) {
      await peer.send(fragmentSpecs(bytes, T, bytes.length));
      await peer.expectFail(1007);
    },
  });
}

// 6.3.2: the 6.3 sequence split into 2 fragments at every position fails every time.
const kosmeBad = INVALID[0]?.[2] ?? Buffer.alloc(0);
for (let at = 1; at < kosmeBad.length; at++) {
  cases.push({
    id: '6.3',
    name: `invalid "κόσμε"+surrogate split at byte ${at} fails with 1007`,
    async run(peer) {
      await peer.send([
        { opcode: T, payload: kosmeBad.subarray(0, at), fin: false },
        { opcode: C, payload: kosmeBad.subarray(at) },
      ]);
      await peer.expectFail(1007);
    },
  });
}

// 6.4 fail fast: the close must come while the rest of the message has not been sent at all.
const failFast: [string, Buffer, Buffer][] = [
  ['6.4.1', hex('cebae1bdb9cf83cebcceb5f4908080'), Buffer.from('edited')],
  ['6.4.2', hex('cebae1bdb9cf83cebcceb5f490'), hex('8080656469746564')],
  ['6.4.x', Buffer.concat([Buffer.from('ok text '), hex('eda080')]), Buffer.from(' never sent')],
  ['6.4.x', Buffer.concat([Buffer.from('ok text '), hex('c0af')]), Buffer.from(' never sent')],
];
for (const [id, first, rest] of failFast) {
  cases.push({
    id,
    name: `invalid byte in the first fragment (${first.toString('hex').slice(-8)}) closes 1007 before the rest is sent`,
    async run(peer) {
      await peer.send({ opcode: T, payload: first, fin: false });
      await peer.expectFail(1007, 2_000);
      await peer.send([{ opcode: C, payload: rest, fin: false }, { opcode: C, payload: 'end' }]).catch(() => {});
    },
  });
}
for (const [id, first, rest] of failFast.slice(0, 2)) {
  cases.push({
    id: id === '6.4.1' ? '6.4.3' : '6.4.4',
    name: `invalid byte in the first part of ONE frame (${first.toString('hex').slice(-8)}) closes 1007 before the rest of that frame is sent`,
    async run(peer) {
      const whole = Buffer.concat([first, rest]);
      const bytes = peer.encode({ opcode: T, payload: whole });
      const cut = bytes.length - rest.length;
      await peer.write(bytes.subarray(0, cut));
      await peer.expectFail(1007, 2_000);
      await peer.write(bytes.subarray(cut)).catch(() => {});
    },
  });
}

conformanceSuite('6 UTF-8', cases);
