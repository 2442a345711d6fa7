/** WAMPKIT_DEBUG=websocket: a connection says why it failed (info) and how it closed (debug). */
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { configureLogging } from '../../runtime/log.js';
import { Opcode } from '../../runtime/websocket/constants.js';
import { serverWithRawClient, connectionPair } from './connection-helpers.js';

describe('connection logging', () => {
  afterEach(() => configureLogging(undefined));

  test('a protocol violation is logged at info with the close code; the close at debug', async () => {
    const lines: string[] = [];
    configureLogging('websocket', { sink: (line) => lines.push(line) });
    const { server, peer, close } = await serverWithRawClient();
    server.on('error', () => {});
    try {
      peer.send(Opcode.TEXT, Buffer.from([0xc0, 0xaf]));
      await server.closed;
      assert.ok(
        lines.some((l) => /^wampkit:websocket info server connection with tcp:test-server failed with close code 1007: text message is not valid UTF-8/.test(l)),
        lines.join('\n'),
      );
      assert.ok(lines.some((l) => /^wampkit:websocket debug server connection with tcp:test-server closed: 1006 .*, not clean$/.test(l)), lines.join('\n'));
    } finally {
      await close();
    }
  });

  test("a clean close is one debug line per side (the server echoes the code without the reason); nothing at info", async () => {
    const lines: string[] = [];
    configureLogging('websocket:debug', { sink: (line) => lines.push(line) });
    const pair = await connectionPair();
    try {
      await pair.client.close(1000, 'bye');
      await pair.server.closed;
      assert.deepEqual(lines.filter((l) => / info /.test(l)), []);
      assert.ok(lines.includes('wampkit:websocket debug client connection with tcp:test-client closed: 1000, clean'), lines.join('\n'));
      assert.ok(lines.includes('wampkit:websocket debug server connection with tcp:test-server closed: 1000 "bye", clean'), lines.join('\n'));
    } finally {
      await pair.close();
    }
  });

  test('quiet by default', async () => {
    const lines: string[] = [];
    configureLogging(undefined, { sink: (line) => lines.push(line) });
    const pair = await connectionPair();
    await pair.client.close();
    await pair.server.closed;
    await pair.close();
    assert.deepEqual(lines, []);
  });
});
