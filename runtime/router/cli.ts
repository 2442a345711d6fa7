/**
 * `npx wampkit router`: runs the embedded router from the command line.
 *
 *   wampkit router [--host H] [--port P] [--path /ws] [--realm R]... [--rawsocket] [--static DIR] [--config FILE]
 *
 * --config names a JSON file holding RouterOptions (realms, listeners, helloTimeout,
 * maxMessageSize, strictRequestIds, maxNestingDepth). --host/--port/--path/--rawsocket/--static set the WebSocket
 * listener (replacing the file's websocket listeners, keeping its rawsocket ones); --realm
 * adds realms. With nothing given: realm "realm1" on ws://127.0.0.1:8080/ws.
 * Prints one "listening on ADDRESS" line per address once ready; SIGINT/SIGTERM stop it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Router } from './router.js';
import type { ListenerConfig, RouterOptions, WebSocketListenerConfig } from './config.js';

const USAGE = `usage: wampkit router [--host HOST] [--port PORT] [--path /ws] [--realm REALM]... [--rawsocket] [--static DIR] [--config FILE]
debug logging to stderr: WAMPKIT_DEBUG=router (joins, leaves, refusals), router:trace (every message), * (everything); see docs/logging.md`;

export function routerOptionsFromArgs(argv: string[]): RouterOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      path: { type: 'string' },
      realm: { type: 'string', multiple: true },
      rawsocket: { type: 'boolean' },
      static: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) throw new UsageError(USAGE, true);
  let fromFile: Partial<RouterOptions> = {};
  if (values.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(values.config, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --config ${values.config}: ${(error as Error).message}`);
    }
    try {
      fromFile = JSON.parse(text) as Partial<RouterOptions>;
    } catch (error) {
      throw new UsageError(`--config ${values.config} is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new UsageError(`--config ${values.config} must hold a JSON object`);
    }
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535 || values.port.trim() === '') {
      throw new UsageError(`--port must be an integer in 0..65535, got ${JSON.stringify(values.port)}`);
    }
  }
  const realms = [...(fromFile.realms ?? []), ...(values.realm ?? [])];
  if (realms.length === 0) realms.push('realm1');
  let listeners: ListenerConfig[] = fromFile.listeners ?? [];
  const flagsGiven = values.host !== undefined || port !== undefined || values.path !== undefined || values.rawsocket !== undefined || values.static !== undefined;
  if (flagsGiven || listeners.length === 0) {
    const ws: WebSocketListenerConfig = { type: 'websocket' };
    const previous = listeners.find((l): l is WebSocketListenerConfig => l.type === 'websocket');
    if (previous !== undefined) Object.assign(ws, previous);
    if (values.host !== undefined) ws.host = values.host;
    if (port !== undefined) ws.port = port;
    if (values.path !== undefined) ws.path = values.path;
    if (values.rawsocket !== undefined) ws.rawsocket = values.rawsocket;
    if (values.static !== undefined) ws.static = values.static;
    listeners = [ws, ...listeners.filter((l) => l.type !== 'websocket')];
  }
  return { ...fromFile, realms, listeners };
}

export class UsageError extends Error {
  readonly isHelp: boolean;
  constructor(message: string, isHelp = false) {
    super(message);
    this.isHelp = isHelp;
  }
}

/** Runs `wampkit <command> ...`; resolves to the exit code once the router stopped. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'router') {
    process.stderr.write(`${USAGE}\n`);
    return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
  let router: Router;
  try {
    router = new Router(routerOptionsFromArgs(rest));
  } catch (error) {
    if (error instanceof UsageError && error.isHelp) {
      process.stdout.write(`${error.message}\n`);
      return 0;
    }
    process.stderr.write(`wampkit router: ${(error as Error).message}\n`);
    return 2;
  }
  let addresses: string[];
  try {
    addresses = await router.start();
  } catch (error) {
    process.stderr.write(`wampkit router: ${(error as Error).message}\n`);
    await router.close(0);
    return 1;
  }
  process.stdout.write(`realms: ${router.options.realms.map((r) => r.name).join(', ')}\n`);
  for (const address of addresses) process.stdout.write(`listening on ${address}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await router.close();
  process.stdout.write('stopped\n');
  return 0;
}
