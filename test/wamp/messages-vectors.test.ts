/**
 * The WAMP spec's test vectors (../shared/wamp-spec/testsuite, never copied into the project):
 * every serialization sample of every serializer we implement must deserialize, parse to the
 * expected attributes, and re-encode to bytes equal to one of the listed variants. Where bytes
 * cannot be equal the test falls back to "equal after deserialize" and says so in its output;
 * every validation sample must be accepted or rejected as the vector says.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMessage, encodeMessage, type WampMessage } from '../../runtime/wamp/messages.js';
import { isProtocolError } from '../../runtime/wamp/protocol-error.js';
import { MessageType } from '../../runtime/wamp/message-types.js';
import { ErrorUri } from '../../runtime/wamp/uris.js';
import { serializerByName, type Serializer } from '../../runtime/serializers/index.js';

const SUITE = fileURLToPath(new URL('../../../shared/wamp-spec/testsuite', import.meta.url));
const HAVE_SUITE = existsSync(SUITE);
const SKIP = HAVE_SUITE ? false : `WAMP test vectors not found at ${SUITE} (needs ../shared next to the repo)`;

interface Variant {
  bytes?: string;
  bytes_hex?: string;
  bytes_base64?: string;
  note?: string;
}
interface Sample {
  description: string;
  serializers?: Record<string, Variant[]>;
  expected_attributes?: Record<string, unknown>;
  wmsg?: unknown[];
  expected_error?: { type?: string; contains?: string };
}
interface VectorFile {
  wamp_message_type: string;
  wamp_message_code: number;
  samples: Sample[];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.json')) out.push(full);
  }
  return out;
}

const files: [string, VectorFile][] = HAVE_SUITE
  ? walk(join(SUITE, 'singlemessage')).map((f) => [f.slice(SUITE.length + 1), JSON.parse(readFileSync(f, 'utf8')) as VectorFile])
  : [];

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

function variantBytes(s: Serializer, v: Variant): Uint8Array | string {
  if (v.bytes_hex !== undefined) {
    const b = hex(v.bytes_hex);
    return s.isBinary ? b : Buffer.from(b).toString('utf8');
  }
  if (v.bytes_base64 !== undefined) return new Uint8Array(Buffer.from(v.bytes_base64, 'base64'));
  return v.bytes as string;
}

const sameBytes = (a: Uint8Array | string, b: Uint8Array | string): boolean =>
  typeof a === 'string' || typeof b === 'string'
    ? Buffer.from(a as string).equals(Buffer.from(b as string))
    : Buffer.from(a).equals(Buffer.from(b));

/** The vectors' attribute names -> our typed message fields. */
function actualAttribute(msg: WampMessage, name: string): unknown {
  const m = msg as unknown as Record<string, unknown>;
  switch (name) {
    case 'message_type':
      return msg.type;
    case 'request_id':
      return m['request'];
    case 'session_id':
      return m['session'];
    case 'subscription_id':
      return m['subscription'];
    case 'publication_id':
      return m['publication'];
    case 'registration_id':
      return m['registration'];
    case 'request_type':
      return m['requestType'];
    case 'method':
      return m['authMethod'];
    case 'roles':
      return (m['details'] as Record<string, unknown>)['roles'];
    case 'payload': {
      const p = m['payload'];
      return p instanceof Uint8Array ? Buffer.from(p).toString('hex') : (p ?? null);
    }
    case 'args':
    case 'kwargs':
      return m[name] ?? null;
    default:
      return m[name];
  }
}

/** Plain structure with binaries as hex, so Buffer and Uint8Array compare equal. */
function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return { hex: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return v.map(normalize);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

const stats = { samples: 0, variants: 0, byteEqual: 0, semanticOnly: [] as string[], validation: 0, skippedFormats: new Set<string>() };

describe('WAMP test vectors', { skip: SKIP }, () => {
  for (const [file, vec] of files) {
    describe(file, () => {
      vec.samples.forEach((sample, index) => {
        const title = `#${index + 1} ${sample.description}`;
        if (sample.wmsg !== undefined) {
          test(`validation ${title}`, () => {
            stats.validation++;
            const wire = hexPayloadToBytes(sample.wmsg as unknown[]);
            if (sample.expected_error === undefined) {
              assert.doesNotThrow(() => parseMessage(wire));
              return;
            }
            assert.throws(
              () => parseMessage(wire),
              (err: unknown) =>
                isProtocolError(err) &&
                err.wampUri === ErrorUri.PROTOCOL_VIOLATION &&
                err.message.includes(sample.expected_error?.contains ?? ''),
            );
          });
          return;
        }
        test(`serialization ${title}`, () => {
          stats.samples++;
          for (const [format, variants] of Object.entries(sample.serializers ?? {})) {
            const serializer = serializerByName(format);
            if (serializer === undefined) {
              stats.skippedFormats.add(format);
              continue;
            }
            checkFormat(serializer, variants, sample, `${file} ${title} ${format}`);
          }
        });
      });
    });
  }

  test('summary', () => {
    assert.ok(stats.samples > 0 && stats.validation > 0);
    console.log(
      `vectors: ${stats.samples} samples, ${stats.variants} byte variants decoded, ${stats.byteEqual} re-encoded byte-equal, ` +
        `${stats.semanticOnly.length} equal only after deserialize${stats.semanticOnly.length ? `: ${stats.semanticOnly.join('; ')}` : ''}; ` +
        `${stats.validation} validation samples; formats we do not implement: ${[...stats.skippedFormats].sort().join(', ')}`,
    );
  });
});

function checkFormat(serializer: Serializer, variants: Variant[], sample: Sample, where: string): void {
  const inputs = variants.map((v) => variantBytes(serializer, v));
  let reference: unknown;
  for (const input of inputs) {
    const array = serializer.deserialize(input);
    const msg = parseMessage(array);
    stats.variants++;
    for (const [name, expected] of Object.entries(sample.expected_attributes ?? {})) {
      assert.deepEqual(normalize(actualAttribute(msg, name)), normalize(expected), `${where}: attribute ${name}`);
    }
    reference ??= array;
  }
  const reencoded = serializer.serialize(encodeMessage(parseMessage(reference)));
  if (inputs.some((input) => sameBytes(input, reencoded))) {
    stats.byteEqual++;
    return;
  }
  // Not byte-equal to any variant: must still be the same message after deserializing.
  stats.semanticOnly.push(where);
  assert.deepEqual(normalize(serializer.deserialize(reencoded)), normalize(reference), where);
}

/** Sequence vectors name messages and attributes; build our typed message from them. */
const SEQUENCE_FIELDS: Readonly<Record<string, string>> = {
  request_id: 'request',
  subscription_id: 'subscription',
  publication_id: 'publication',
  registration_id: 'registration',
  session_id: 'session',
};

describe('WAMP sequence vectors: every message is a valid typed message', { skip: SKIP }, () => {
  const dir = join(SUITE, 'multisession');
  const sequenceFiles = HAVE_SUITE && existsSync(dir) ? walk(dir) : [];
  for (const file of sequenceFiles) {
    test(file.slice(SUITE.length + 1), () => {
      const vec = JSON.parse(readFileSync(file, 'utf8')) as { sequence: { step: number; message: Record<string, unknown> }[] };
      assert.ok(vec.sequence.length > 0);
      for (const { step, message } of vec.sequence) {
        const { type, ...attrs } = message;
        const code = MessageType[type as keyof typeof MessageType];
        assert.ok(code !== undefined, `step ${step}: unknown type ${String(type)}`);
        const typed = { type: code } as Record<string, unknown>;
        for (const [k, v] of Object.entries(attrs)) typed[SEQUENCE_FIELDS[k] ?? k] = v;
        const wire = encodeMessage(typed as unknown as WampMessage);
        assert.deepEqual(parseMessage(wire), typed, `step ${step}`);
      }
    });
  }
});

/** Validation samples write passthru payloads (after a dict with enc_algo) as hex strings. */
function hexPayloadToBytes(wmsg: unknown[]): unknown[] {
  const last = wmsg[wmsg.length - 1];
  const hasEnc = wmsg.some((x) => typeof x === 'object' && x !== null && !Array.isArray(x) && 'enc_algo' in x);
  if (hasEnc && typeof last === 'string' && /^[0-9a-f]+$/.test(last)) return [...wmsg.slice(0, -1), hex(last)];
  return wmsg;
}
