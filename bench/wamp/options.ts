/**
 * Command-line options of the WAMP bench (see ./index.ts for what each row is).
 *
 *   npm run bench:wamp -- [--quick] [--rounds N] [--seconds S] [--serializers json,msgpack,cbor]
 *                         [--only rpc,latency,events] [--subscribers 1,100,1000]
 *                         [--routers ours,fox] [--clients wampkit,autobahn,wampy] [--no-wire]
 *                         [--router-clients autobahn,wampy,wampkit]
 *                         [--sub-procs N] [--source] [--json out.json] [--profile cpu|heap --profile-dir DIR]
 */
import { resolve } from 'node:path';
import { CLIENT_LIBS, SERIALIZER_NAMES, type ClientLib, type RouterImpl, type SerializerName } from './peer-types.js';

export type RowKind = 'rpc' | 'latency' | 'events';
export const ROW_KINDS: readonly RowKind[] = ['rpc', 'latency', 'events'];

export interface BenchOptions {
  quick: boolean;
  rounds: number;
  warmupMs: number;
  measureMs: number;
  serializers: SerializerName[];
  rows: Set<RowKind>;
  subscribers: number[];
  routers: Array<Exclude<RouterImpl, 'wire'>>;
  clients: Array<Exclude<ClientLib, 'wire'>>;
  /** The clients (of `clients`) that also run on fox-wamp, for the router comparison. */
  routerClients: Array<Exclude<ClientLib, 'wire'>>;
  wire: boolean;
  subProcs: number;
  fromSource: boolean;
  jsonPath: string | undefined;
  profile: 'cpu' | 'heap' | undefined;
  profileDir: string | undefined;
}

/** Bounds that keep every run finite whatever the options say. */
export const LIMITS = {
  MAX_ROUNDS: 20,
  MAX_SECONDS: 30,
  MAX_SUBSCRIBERS: 5_000,
  MAX_SUB_PROCS: 16,
} as const;

function value(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const v = args[at + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

function list<T extends string>(args: string[], name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
  const raw = value(args, name);
  if (raw === undefined) return [...fallback];
  const values = raw.split(',').map((v) => v.trim()).filter((v) => v !== '');
  const bad = values.filter((v) => !(allowed as readonly string[]).includes(v));
  if (values.length === 0 || bad.length > 0) throw new Error(`${name} takes a comma-separated list of ${allowed.join(', ')}; got ${raw}`);
  return values as T[];
}

function integer(args: string[], name: string, fallback: number, min: number, max: number): number {
  const raw = value(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in ${min}..${max}, got ${raw}`);
  return n;
}

const LIBS = CLIENT_LIBS.filter((c): c is Exclude<ClientLib, 'wire'> => c !== 'wire');

export function parseOptions(args: string[]): BenchOptions {
  const options = parseAll(args);
  const routerClients = list(args, '--router-clients', LIBS, options.quick ? ['autobahn'] : ['autobahn', 'wampy', 'wampkit']);
  return { ...options, routerClients: routerClients.filter((c) => options.clients.includes(c)) };
}

function parseAll(args: string[]): BenchOptions {
  const known = new Set(['--router-clients', '--quick', '--rounds', '--seconds', '--serializers', '--only', '--subscribers', '--routers', '--clients', '--no-wire', '--sub-procs', '--source', '--json', '--profile', '--profile-dir']);
  for (const a of args) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}`);
  const quick = args.includes('--quick');
  const secondsRaw = value(args, '--seconds');
  const seconds = secondsRaw === undefined ? (quick ? 0.4 : 1) : Number(secondsRaw);
  if (!Number.isFinite(seconds) || seconds < 0.05 || seconds > LIMITS.MAX_SECONDS) throw new Error(`--seconds must be in 0.05..${LIMITS.MAX_SECONDS}, got ${String(secondsRaw)}`);
  const subscribersRaw = value(args, '--subscribers');
  const subscribers = (subscribersRaw ?? '1,100,1000').split(',').map((v) => Number(v.trim()));
  if (subscribers.some((n) => !Number.isInteger(n) || n < 1 || n > LIMITS.MAX_SUBSCRIBERS)) {
    throw new Error(`--subscribers takes integers in 1..${LIMITS.MAX_SUBSCRIBERS}, got ${String(subscribersRaw)}`);
  }
  const profile = value(args, '--profile');
  if (profile !== undefined && profile !== 'cpu' && profile !== 'heap') throw new Error(`--profile is cpu or heap, got ${profile}`);
  const profileDir = value(args, '--profile-dir');
  if ((profile === undefined) !== (profileDir === undefined)) throw new Error('--profile cpu|heap and --profile-dir DIR go together');
  return {
    quick,
    rounds: integer(args, '--rounds', quick ? 1 : 3, 1, LIMITS.MAX_ROUNDS),
    measureMs: Math.round(seconds * 1000),
    warmupMs: Math.round(Math.min(400, seconds * 300)),
    // --quick keeps to JSON unless told otherwise, so it stays well under two minutes.
    serializers: list(args, '--serializers', SERIALIZER_NAMES, quick ? ['json'] : SERIALIZER_NAMES),
    rows: new Set(list(args, '--only', ROW_KINDS, ROW_KINDS)),
    subscribers: [...new Set(subscribers)].sort((a, b) => a - b),
    routers: list(args, '--routers', ['ours', 'fox'] as const, ['ours', 'fox']),
    // --quick: our client against Autobahn|JS, and Autobahn|JS alone on both routers.
    clients: list(args, '--clients', LIBS, quick ? ['wampkit', 'autobahn'] : ['wampkit', 'autobahn', 'wampy']),
    routerClients: [],
    wire: !args.includes('--no-wire'),
    subProcs: integer(args, '--sub-procs', 2, 1, LIMITS.MAX_SUB_PROCS),
    fromSource: args.includes('--source'),
    jsonPath: value(args, '--json'),
    profile,
    profileDir: profileDir === undefined ? undefined : resolve(profileDir),
  };
}
