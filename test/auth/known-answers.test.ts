import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { computeCraSignature, deriveCraKey, signCryptosignChallenge, cryptosignPublicKey, AuthErrorCode } from '../../runtime/auth/index.js';
import { isWampkitError } from '../../runtime/errors.js';
import { fromHex, toHex, utf8, fromBase64, toBase64, constantTimeEqual } from '../../runtime/auth/bytes.js';
import { pbkdf2Sha256 } from '../../runtime/auth/crypto.js';
import { scramAuthMessage, scramClientProof, scramKeys, scramSaltedPassword, scramServerSignature, verifyScramClientProof } from '../../runtime/auth/scram-core.js';
import { saslprep } from '../../runtime/auth/saslprep.js';

// WAMP-Cryptosign test vectors from the spec (no channel binding).
const CRYPTOSIGN_VECTORS = [
  {
    privateKey: '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510',
    challenge: 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    signature: 'b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  },
  {
    privateKey: 'd511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd',
    challenge: 'b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d',
    signature: 'd4209ad10d5aff6bfbc009d7e924795de138a63515efc7afc6b01b7fe5201372190374886a70207b042294af5bd64ce725cd8dceb344e6d11c09d1aaaf4d660fb26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d',
  },
  {
    privateKey: '6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b',
    challenge: 'b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2',
    signature: '7beb282184baadd08f166f16dd683b39cab53816ed81e6955def951cb2ddad1ec184e206746fd82bda075af03711d3d5658fc84a76196b0fa8d1ebc92ef9f30bb05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2',
  },
];

describe('cryptosign known answers', () => {
  for (const [i, v] of CRYPTOSIGN_VECTORS.entries()) {
    test(`spec vector ${i + 1}: signature || challenge`, () => {
      assert.equal(signCryptosignChallenge(fromHex(v.privateKey)!, fromHex(v.challenge)!), v.signature);
    });
  }
  test('RFC 8032 test 1 public key from seed', () => {
    assert.equal(
      cryptosignPublicKey('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
  });
});

describe('WAMP-CRA known answers', () => {
  test('PBKDF2-HMAC-SHA256 (RFC 7914 vector: "passwd"/"salt", 1 iteration)', async () => {
    const key = await pbkdf2Sha256(utf8('passwd'), utf8('salt'), 1, 64);
    assert.equal(toHex(key), '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783');
  });
  test('HMAC-SHA256 signature (RFC 4231 case 2) in base64', async () => {
    const sig = await computeCraSignature('Jefe', 'what do ya want for nothing?');
    assert.equal(toHex(fromBase64(sig)!), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
  test('an empty key is refused with a typed error (AUTH_INVALID_OPTION), not a raw DOMException', async () => {
    for (const bad of ['', undefined, 42]) {
      await assert.rejects(computeCraSignature(bad as never, 'challenge'), (e: unknown) => isWampkitError(e) && e.code === AuthErrorCode.INVALID_OPTION);
    }
    await assert.rejects(computeCraSignature('key', null as never), (e: unknown) => isWampkitError(e) && e.code === AuthErrorCode.INVALID_OPTION);
  });
  test('derived key is base64 of PBKDF2-SHA256 over the UTF-8 salt', async () => {
    const key = await deriveCraKey('password', 'salt', 1, 32);
    assert.equal(toHex(fromBase64(key)!), '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b');
  });
});

describe('WAMP-SCRAM known answers (RFC 7677 SCRAM-SHA-256 example, as the spec uses it)', () => {
  const exchange = {
    authid: 'user',
    clientNonce: 'rOprNGfwEbeRWgbNEkqO',
    nonce: 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
    iterations: 4096,
  };
  test('AuthMessage, ClientProof and ServerSignature', async () => {
    const authMessage = scramAuthMessage(exchange);
    assert.equal(authMessage, 'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
    const keys = await scramKeys(await scramSaltedPassword('pencil', { kdf: 'pbkdf2', salt: exchange.salt, iterations: 4096 }));
    const proof = await scramClientProof(keys, authMessage);
    assert.equal(proof, 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    assert.equal(await scramServerSignature(keys.serverKey, authMessage), '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    assert.equal(await verifyScramClientProof(keys.storedKey, authMessage, proof), true);
    const flipped = toBase64(fromBase64(proof)!.map((b, i) => (i === 0 ? b ^ 1 : b)));
    assert.equal(await verifyScramClientProof(keys.storedKey, authMessage, flipped), false);
  });
  // Computed with the Argon2 reference implementation's CLI (Debian argon2 0~20171227):
  //   echo -n pencil | argon2 saltsaltsaltsalt -id -t <t> -k 64 -p 1 -l 32 -r
  for (const [t, expected] of [
    [1, '7f6a8533a824e3f9e84fab8744d2de2ce4a4df0cd343fb43d310062407f8ab5a'],
    [2, '9bdf86b04625c4bcb9cd5698a5d83e1381e50d4005fe6a465b151e5d88229500'],
  ] as const) {
    test(`argon2id13 SaltedPassword matches the Argon2 reference (t=${t}, m=64 KiB, p=1)`, async () => {
      const salted = await scramSaltedPassword('pencil', { kdf: 'argon2id13', salt: toBase64(utf8('saltsaltsaltsalt')), iterations: t, memory: 64 });
      assert.equal(toHex(salted), expected);
    });
  }
  test('user names escape , and = in the AuthMessage', () => {
    assert.match(scramAuthMessage({ ...exchange, authid: 'a,b=c' }), /^n=a=2Cb=3Dc,/);
  });
});

describe('helpers', () => {
  test('SASLprep maps spaces, drops soft hyphens, NFKC-normalizes and prohibits controls', () => {
    assert.equal(saslprep('I\u00ADX'), 'IX');
    assert.equal(saslprep('a\u00A0b'), 'a b');
    assert.equal(saslprep('\u2168'), 'IX');
    assert.equal(saslprep('\u00AA'), 'a');
    assert.equal(saslprep('a\u0007'), undefined);
    assert.equal(saslprep('\uD800'), undefined);
  });
  test('canonical base64 only', () => {
    assert.deepEqual(fromBase64('QQ=='), new Uint8Array([65]));
    assert.equal(fromBase64('QR=='), undefined);
    assert.equal(fromBase64('QQ'), undefined);
    assert.equal(fromBase64('Q Q=='), undefined);
  });
  test('constant-time equality compares every byte and the lengths', () => {
    assert.equal(constantTimeEqual(utf8('abc'), utf8('abc')), true);
    assert.equal(constantTimeEqual(utf8('abc'), utf8('abd')), false);
    assert.equal(constantTimeEqual(utf8('abc'), utf8('ab')), false);
    assert.equal(constantTimeEqual(utf8(''), utf8('a')), false);
    assert.equal(constantTimeEqual(utf8(''), utf8('')), true);
  });
});
