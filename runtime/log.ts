/**
 * Debug logging: quiet by default, switched on per area and level by one environment variable.
 *
 *   WAMPKIT_DEBUG=router,wamp          those areas at level debug
 *   WAMPKIT_DEBUG=*                    every area at level debug
 *   WAMPKIT_DEBUG=router:info,websocket:trace,*:warn
 *
 * Levels, least to most verbose: error, warn, info, debug, trace. Areas are short names
 * (`websocket`, `wamp`, `router`, `auth`, `stubs`, `nvx`); a sub-area such as `router:realm`
 * follows its parent's setting unless named itself. Lines go to stderr as
 * `wampkit:<area> <level> <message>`.
 *
 * Call sites pass a function when building the message costs anything, so a disabled logger
 * costs one comparison: `log.debug(() => `HELLO ${JSON.stringify(details)}`)`.
 * Browser-safe: no Node built-ins; `process` is read only where it exists.
 */
import { createError } from './errors.js';
import { LogErrorCode } from './error-codes.js';

export const LOG_ENV = 'WAMPKIT_DEBUG';

export const LogLevel = { off: -1, error: 0, warn: 1, info: 2, debug: 3, trace: 4 } as const;
export type LogLevelName = keyof typeof LogLevel;

export { LogErrorCode } from './error-codes.js';

export type LogMessage = string | (() => string);
export type LogSink = (line: string) => void;

export interface Logger {
  readonly area: string;
  /** True when `level` is shown for this area: guard work that only feeds a log line. */
  enabled(level: Exclude<LogLevelName, 'off'>): boolean;
  error(message: LogMessage): void;
  warn(message: LogMessage): void;
  info(message: LogMessage): void;
  debug(message: LogMessage): void;
  trace(message: LogMessage): void;
}

const WILDCARD = '*';
/** The level an area gets when named without one. */
const DEFAULT_NAMED_LEVEL: LogLevelName = 'debug';

/** Parses a WAMPKIT_DEBUG value into area -> level; throws naming the bad entry. */
export function parseLogSpec(spec: string): Map<string, number> {
  const levels = new Map<string, number>();
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const colon = entry.lastIndexOf(':');
    const tail = colon === -1 ? '' : entry.slice(colon + 1);
    // `router:realm` is an area; `router:info` is an area with a level.
    const hasLevel = colon !== -1 && Object.hasOwn(LogLevel, tail);
    const area = hasLevel ? entry.slice(0, colon) : entry;
    if (!/^(\*|[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)*)$/.test(area)) {
      throw createError(LogErrorCode.INVALID_SPEC, `${LOG_ENV}: ${JSON.stringify(entry)} is not an area (like router) or area:level (levels: ${Object.keys(LogLevel).join(', ')})`);
    }
    levels.set(area, LogLevel[hasLevel ? (tail as LogLevelName) : DEFAULT_NAMED_LEVEL]);
  }
  return levels;
}

function defaultSink(line: string): void {
  const stderr = (globalThis as { process?: { stderr?: { write(s: string): unknown } } }).process?.stderr;
  if (stderr !== undefined) stderr.write(`${line}\n`);
  else console.error(line);
}

let levels = new Map<string, number>();
let sink: LogSink = defaultSink;
/** Bumped on every configuration change, so loggers re-resolve their level lazily. */
let generation = 0;

/** Replaces the configuration: `spec` as in WAMPKIT_DEBUG (undefined or '' turns logging off). */
export function configureLogging(spec: string | undefined, options: { sink?: LogSink } = {}): void {
  if (spec !== undefined && typeof spec !== 'string') throw createError(LogErrorCode.INVALID_SPEC, `logging spec must be a string, got ${typeof spec}`);
  if (options.sink !== undefined && typeof options.sink !== 'function') throw createError(LogErrorCode.INVALID_SPEC, 'logging sink must be a function');
  levels = parseLogSpec(spec ?? '');
  sink = options.sink ?? defaultSink;
  generation++;
}

function levelOf(area: string): number {
  for (let name = area; ; name = name.slice(0, name.lastIndexOf(':'))) {
    const level = levels.get(name);
    if (level !== undefined) return level;
    if (!name.includes(':')) break;
  }
  return levels.get(WILDCARD) ?? LogLevel.off;
}

class AreaLogger implements Logger {
  readonly area: string;
  #level = LogLevel.off as number;
  #generation = -1;

  constructor(area: string) {
    this.area = area;
  }

  enabled(level: Exclude<LogLevelName, 'off'>): boolean {
    if (this.#generation !== generation) {
      this.#level = levelOf(this.area);
      this.#generation = generation;
    }
    return LogLevel[level] <= this.#level;
  }

  #write(level: Exclude<LogLevelName, 'off'>, message: LogMessage): void {
    if (!this.enabled(level)) return;
    let text: string;
    try {
      text = typeof message === 'function' ? message() : message;
    } catch (error) {
      text = `(log message failed: ${(error as Error).message})`;
    }
    sink(`wampkit:${this.area} ${level} ${text}`);
  }

  error(message: LogMessage): void { this.#write('error', message); }
  warn(message: LogMessage): void { this.#write('warn', message); }
  info(message: LogMessage): void { this.#write('info', message); }
  debug(message: LogMessage): void { this.#write('debug', message); }
  trace(message: LogMessage): void { this.#write('trace', message); }
}

/** The logger of one area; cheap to call once per module. */
export function logger(area: string): Logger {
  if (!/^[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)*$/.test(area)) {
    throw createError(LogErrorCode.INVALID_SPEC, `logger area must be lower-case words separated by ':', got ${JSON.stringify(area)}`);
  }
  return new AreaLogger(area);
}

// The environment decides at load. A bad value must not break the program it was meant to
// help debug: it is reported once and logging stays off.
{
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[LOG_ENV];
  if (env !== undefined && env !== '') {
    try {
      configureLogging(env);
    } catch (error) {
      defaultSink(`wampkit: ${(error as Error).message}; debug logging stays off`);
    }
  }
}
