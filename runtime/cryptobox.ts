/**
 * wampkit/cryptobox: end-to-end payload encryption as Autobahn's WAMP-cryptobox (NaCl box:
 * X25519 and XSalsa20-Poly1305), a payload codec for `SessionConfig.payloadCodec`
 * (docs/wamp-client.md, "End-to-end encryption").
 *
 * Its own entry, apart from `wampkit`, because its cipher comes from @noble/ciphers, an
 * optional peer dependency: a project that encrypts installs it (`npm install @noble/ciphers`),
 * every other one keeps the library's install as small as it was. Runs in browsers too.
 */
export { CryptoboxKey, CryptoboxKeyRing, CRYPTOBOX } from './wamp/cryptobox.js';
export type { CryptoboxKeyOptions } from './wamp/cryptobox.js';
