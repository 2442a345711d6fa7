// Cross-checks against Autobahn's own implementations: Autobahn|Python (Debian python3-autobahn,
// PyNaCl) computes WAMP-CRA signatures, derived keys and Cryptosign signatures for random
// inputs, and verifies ours; Autobahn|JS's auth_cra does the same for WAMP-CRA.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { computeCraSignature, deriveCraKey, signCryptosignChallenge, cryptosignPublicKey, wampcra } from '../../runtime/auth/index.js';
import { RealmAuth } from '../../runtime/auth/router/index.js';
import { fromHex, randomBytes, toHex, toBase64 } from '../../runtime/auth/bytes.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./fixtures/autobahn_auth.py', import.meta.url));

interface PyReply {
  cra: Array<{ derived: string | null; signature: string }>;
  cryptosign: Array<{ pubkey: string; signature: string; verifies_ours: boolean }>;
}

function runPython(request: unknown): Promise<{ ok: true; reply: PyReply } | { ok: false; why: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, why: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true, reply: JSON.parse(out) as PyReply });
      else resolve({ ok: false, why: `exit ${code}: ${err.split('\n').filter(Boolean).pop() ?? ''}` });
    });
    child.stdin.end(JSON.stringify(request));
  });
}

async function pythonAvailable(): Promise<string | undefined> {
  if (!existsSync(PYTHON)) return `${PYTHON} is absent`;
  const probe = await new Promise<number | null>((resolve) => {
    const c = spawn(PYTHON, ['-c', 'import autobahn.wamp.auth, autobahn.wamp.cryptosign, nacl, txaio'], { stdio: 'ignore' });
    const t = setTimeout(() => c.kill('SIGKILL'), 20_000);
    c.on('error', () => resolve(-1));
    c.on('close', (code) => (clearTimeout(t), resolve(code)));
  });
  return probe === 0 ? undefined : 'Autobahn|Python with PyNaCl is not installed (Debian python3-autobahn, python3-nacl)';
}

const CASES = 6;
const craCases = Array.from({ length: CASES }, (_, i) => ({
  secret: i % 2 === 0 ? toBase64(randomBytes(12)) : `pässwörd-${i}-✓`,
  challenge: JSON.stringify({ nonce: toBase64(randomBytes(16)), authid: `user${i}`, session: i + 1 }),
  ...(i < 3 ? {} : { salt: `salt-${toHex(randomBytes(4))}`, iterations: 50 + i, keylen: i === 5 ? 20 : 32 }),
}));
const signCases = Array.from({ length: CASES }, () => ({ seed: toHex(randomBytes(32)), challenge: toHex(randomBytes(32)) }));

describe('Autobahn|Python cross-check', async () => {
  const skip = await pythonAvailable();
  test('WAMP-CRA signatures and derived keys agree; Cryptosign signatures agree and verify both ways', { skip }, async () => {
    const request = {
      cra: craCases,
      cryptosign: signCases.map((c) => ({ ...c, ours: signCryptosignChallenge(fromHex(c.seed)!, fromHex(c.challenge)!) })),
    };
    const result = await runPython(request);
    assert.ok(result.ok, result.ok ? '' : result.why);
    const reply = result.reply;
    for (const [i, c] of craCases.entries()) {
      let key = c.secret;
      if (c.salt !== undefined) {
        key = await deriveCraKey(c.secret, c.salt, c.iterations, c.keylen);
        assert.equal(key, reply.cra[i]!.derived, `derived key, case ${i}`);
      }
      assert.equal(await computeCraSignature(key, c.challenge), reply.cra[i]!.signature, `signature, case ${i}`);
      // Our client, answering a challenge that carries the salt, produces Autobahn's signature.
      const extra = { challenge: c.challenge, ...(c.salt === undefined ? {} : { salt: c.salt, iterations: c.iterations, keylen: c.keylen }) };
      assert.equal(await wampcra({ authid: 'u', secret: c.secret }).onChallenge(extra), reply.cra[i]!.signature);
    }
    for (const [i, c] of signCases.entries()) {
      const py = reply.cryptosign[i]!;
      assert.equal(py.pubkey, cryptosignPublicKey(c.seed), `public key, case ${i}`);
      assert.equal(py.signature, request.cryptosign[i]!.ours, `signature, case ${i}`);
      assert.equal(py.verifies_ours, true, `PyNaCl verifies ours, case ${i}`);
    }
  });
  test('our router verifies an Autobahn|Python Cryptosign signature over its own challenge', { skip }, async () => {
    const seed = toHex(randomBytes(32));
    const realm = new RealmAuth({ cryptosign: { type: 'static', principals: { dev: { authorized_keys: [cryptosignPublicKey(seed)], role: 'device' } } } });
    const h = realm.handshake();
    const c = await h.hello({ realm: 'r', session: 1, authmethods: ['cryptosign'], authextra: { pubkey: cryptosignPublicKey(seed) } });
    assert.equal(c.kind, 'challenge');
    const challenge = c.kind === 'challenge' ? String(c.extra['challenge']) : '';
    const result = await runPython({ cra: [], cryptosign: [{ seed, challenge, ours: '00'.repeat(96) }] });
    assert.ok(result.ok, result.ok ? '' : result.why);
    const o = await h.authenticate(result.reply.cryptosign[0]!.signature, {});
    assert.equal(o.kind === 'welcome' && o.result.authid, 'dev');
  });
});

describe('Autobahn|JS cross-check', () => {
  const require = createRequire(import.meta.url);
  let cra: { derive_key(s: string, salt: string, it: number, kl: number): string; sign(key: string, challenge: string): string } | undefined;
  try {
    cra = require('autobahn/lib/auth/cra.js');
  } catch {
    cra = undefined;
  }
  test('auth_cra.derive_key and auth_cra.sign agree with ours', { skip: cra === undefined ? 'npm autobahn is not installed' : undefined }, async () => {
    for (const c of craCases) {
      let key = c.secret;
      if (c.salt !== undefined && c.keylen !== undefined && c.iterations !== undefined) {
        key = await deriveCraKey(c.secret, c.salt, c.iterations, c.keylen);
        // crypto-js counts key size in 32-bit words: only whole words compare.
        if (c.keylen % 4 === 0) assert.equal(key, cra!.derive_key(c.secret, c.salt, c.iterations, c.keylen));
      }
      assert.equal(await computeCraSignature(key, c.challenge), cra!.sign(key, c.challenge));
    }
  });
});
