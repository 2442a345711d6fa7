// A canonical one-line description of a payload value, type by type, shared by the CBOR
// payload interop test (TypeScript) and its Autobahn|JS peer, so that both sides can say
// exactly what they received: "Float32Array(1.5,-2.25)", "Buffer(9,9)", "Tag(4242,"x")", "5n".
'use strict';

function describe(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'bigint':
      return `${v}n`;
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return String(v);
    default:
      break;
  }
  if (typeof Buffer !== 'undefined' && Buffer.isBuffer(v)) return `Buffer(${Array.from(v).join(',')})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${Array.from(v, describe).join(',')})`;
  if (v instanceof Date) return `Date(${v.toISOString()})`;
  if (v instanceof Set) return `Set(${[...v].map(describe).join(',')})`;
  if (v instanceof Map) return `Map(${[...v].map(([k, x]) => `${describe(k)}=>${describe(x)}`).join(',')})`;
  if (Array.isArray(v)) return `[${v.map(describe).join(',')}]`;
  // cbor's Tagged and wampkit's CborTag: the same thing on either side.
  const name = v.constructor && v.constructor.name;
  if ((name === 'Tagged' || name === 'CborTag') && 'tag' in v && 'value' in v) return `Tag(${String(v.tag)},${describe(v.value)})`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${describe(v[k])}`).join(',')}}`;
}

module.exports = { describe };
