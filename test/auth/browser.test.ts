// The client authenticators must work in a browser: no Node built-ins in their import graph,
// a browser bundle builds, and in headless Chromium they compute what they compute in Node.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserOffenders } from '../helpers/browser-safe.js';
import { browserTools } from '../helpers/headless-chromium.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as auth from '../../runtime/auth/index.js';

const entry = fileURLToPath(new URL('../../runtime/auth/index.ts', import.meta.url));


// What the page computes, and Node computes the same way for comparison.
async function vectors(w: typeof auth): Promise<unknown[]> {
  const seed = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
  const out: unknown[] = [];
  out.push(await w.cryptosign({ privateKey: seed }).onChallenge({ challenge: 'ff'.repeat(32) }));
  out.push(await w.wampcra({ authid: 'peter', secret: 'pässwörd' }).onChallenge({ challenge: '{"n":1}', salt: 'salt123', iterations: 100, keylen: 32 }));
  out.push(await w.deriveScramCredential({ password: 'pencil', kdf: 'pbkdf2', iterations: 64, salt: 'W22ZaJ0SNY7soEsUEjb6gQ==' }));
  out.push(await w.deriveScramCredential({ password: 'pencil', kdf: 'argon2id13', iterations: 2, memory: 64, salt: 'W22ZaJ0SNY7soEsUEjb6gQ==' }));
  return out;
}

describe('client authenticators in the browser', () => {
  test('no Node built-ins in the import graph of runtime/auth/index.ts', () => {
    const { files, offenders } = browserOffenders(entry);
    assert.ok(files >= 8, `walked ${files} files`);
    assert.deepEqual(offenders, []);
  });

  test('in headless Chromium, with and without WebCrypto: cryptosign, salted wampcra and SCRAM (pbkdf2, argon2id13) agree with Node', async (t) => {
    const tools = browserTools(t);
    if (tools === undefined) return;
    const { esbuild } = tools;
    const bundle = await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', globalName: 'wampkitAuth', write: false, logLevel: 'silent' });
    assert.equal(bundle.errors.length, 0);
    const expected = await vectors(auth);
    // http://127.0.0.1 is a secure context (WebCrypto); about:blank is not (the pure-JS fallback).
    const server = createServer((_req, res) => res.end('<!doctype html><title>auth</title>'));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const browser = await tools.launch();
    try {
      const fn = `(async () => [typeof globalThis.crypto.subtle, await (${vectors.toString()})(globalThis.wampkitAuth)])()`;
      for (const [where, subtle] of [[url, 'object'], ['about:blank', 'undefined']] as const) {
        const page = await browser.newPage();
        await page.goto(where);
        await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
        const got = await page.evaluate(fn);
        assert.deepEqual(got, [subtle, expected], where);
        await page.close();
      }
    } finally {
      await browser.close();
      await new Promise((done) => server.close(done));
    }
  });
});
