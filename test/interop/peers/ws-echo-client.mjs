// `ws` (npm) client that checks an echo server, for wampkit's interop tests. Sends a text and
// a binary message (or --kinds) of each --sizes byte count one after another, checks each echo
// (type and bytes), closes with 1000. Prints "ok <kind> <size>" / "FAIL ..." per message and a
// final "RESULT ok N" or "RESULT fail ..."; exits 0 only if everything matched and the close was
// clean. Gives up after --timeout seconds.
import { WebSocket } from 'ws';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    deflate: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '0,16,1024,65536,1048576' },
    kinds: { type: 'string', default: 'text,binary' },
    timeout: { type: 'string', default: '60' },
  },
});

function payloadOf(size, binary) {
  const out = Buffer.alloc(size, 0x78);
  if (binary) {
    for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) & 0xff;
    return out;
  }
  const unit = Buffer.from('κόσμε 😀 wampkit interop ');
  for (let at = 0; at + unit.length <= size; at += unit.length) unit.copy(out, at);
  return out;
}

const plan = values.sizes.split(',').filter((s) => s !== '').flatMap((s) => values.kinds.split(',').map((k) => [Number(s), k === 'binary']));
const finish = (code, line) => {
  console.log(line);
  process.exit(code);
};
setTimeout(() => finish(1, 'RESULT fail timeout'), Number(values.timeout) * 1000).unref();

const ws = new WebSocket(values.url, { perMessageDeflate: values.deflate ? { threshold: 0 } : false, maxPayload: 64 * 1024 * 1024 });
let index = 0;
let ok = 0;
const failures = [];
const sendNext = () => {
  if (index >= plan.length) {
    ws.close(1000);
    return;
  }
  const [size, binary] = plan[index];
  ws.send(payloadOf(size, binary), { binary });
};
ws.on('open', () => {
  console.log(`extensions ${ws.extensions}`);
  sendNext();
});
ws.on('message', (data, isBinary) => {
  const [size, binary] = plan[index];
  const kind = binary ? 'binary' : 'text';
  if (isBinary !== binary || !data.equals(payloadOf(size, binary))) {
    failures.push(`${kind} ${size}: echo differs (${data.length} B, binary=${isBinary})`);
    console.log(`FAIL ${kind} ${size}`);
  } else {
    ok++;
    console.log(`ok ${kind} ${size}`);
  }
  index++;
  sendNext();
});
ws.on('error', (err) => failures.push(`error: ${err.message}`));
ws.on('close', (code) => {
  if (failures.length > 0 || ok !== plan.length || code !== 1000) finish(1, `RESULT fail ok=${ok}/${plan.length} failures=${JSON.stringify(failures)} close=${code}`);
  finish(0, `RESULT ok ${ok}`);
});
