// fox-wamp as a router in a child process (run with `node --import tsx`): prints
// "ready <url>" once it listens on 127.0.0.1 (ephemeral port), and exits when stdin closes.
import { startFoxWamp } from '../../../bench/wamp/fox-router.js';

try {
  const fox = await startFoxWamp();
  process.stdout.write(`ready ${fox.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void fox.close().finally(() => process.exit(0)));
} catch (error) {
  process.stdout.write(`error ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
