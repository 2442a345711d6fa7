/**
 * The callee side of generated stubs: endpoints that validate arguments before the
 * implementation sees them, progressive implementations as async generators, result shaping,
 * and registering a whole service at once.
 */
import { ApplicationError, Result } from '../wamp/application-error.js';
import type { Endpoint, InvocationDetails, Registration, RegisterOptions, WampSession } from '../wamp/types.js';
import { toIssues, type PayloadSchema, type SchemaIssue } from './schema.js';

/** The WAMP error a callee answers with when the arguments fail validation. */
export const INVALID_ARGUMENT = 'wamp.error.invalid_argument';
const CANCELED = 'wamp.error.canceled';

function invalidArgument(uri: string, what: string, issues: readonly SchemaIssue[]): ApplicationError {
  return new ApplicationError(INVALID_ARGUMENT, [`${uri}: invalid ${what}`], { issues: toIssues(issues) });
}

/** An endpoint that validates positional arguments before `run` sees them. */
export function endpoint<A>(schema: PayloadSchema<A>, run: (args: A, details: InvocationDetails) => unknown): Endpoint {
  return (args, _kwargs, details) => {
    const parsed = schema.safeParse(args);
    if (!parsed.success) throw invalidArgument(details.procedure, 'arguments', parsed.error.issues);
    return run(parsed.data, details);
  };
}

/** An endpoint that validates positional and keyword arguments before `run` sees them. */
export function endpointWithKwargs<A, K>(
  schema: PayloadSchema<A>, kwSchema: PayloadSchema<K>, run: (args: A, kwargs: K, details: InvocationDetails) => unknown,
): Endpoint {
  return (args, kwargs, details) => {
    const parsed = schema.safeParse(args);
    if (!parsed.success) throw invalidArgument(details.procedure, 'arguments', parsed.error.issues);
    const kw = kwSchema.safeParse(kwargs);
    if (!kw.success) throw invalidArgument(details.procedure, 'keyword arguments', kw.error.issues);
    return run(parsed.data, kw.data, details);
  };
}

/**
 * Drives a progressive implementation (an async generator): each yielded value goes out as a
 * progressive result when the caller asked for them, the return value as the final result.
 */
export async function streamProgress<P, R>(
  source: AsyncGenerator<P, R, undefined>, details: InvocationDetails, wrap: (final: R) => unknown,
): Promise<unknown> {
  for (;;) {
    if (details.signal.aborted) {
      await source.return(undefined as never);
      throw new ApplicationError(CANCELED, ['the call was interrupted']);
    }
    const step = await source.next();
    if (step.done === true) return wrap(step.value);
    details.progress?.([step.value]);
  }
}

/** No result. */
export function noResult(): Result {
  return new Result();
}

/** Multiple positional results. */
export function resultOf(values: readonly unknown[]): Result {
  return new Result([...values]);
}

/** A keyword result. */
export function kwResultOf(values: object): Result {
  return new Result([], { ...values });
}

/** The registrations of one service. */
export interface Registrations {
  readonly registrations: readonly Registration[];
  unregister(): Promise<void>;
}

export interface RegisterEntry {
  readonly uri: string;
  readonly endpoint: Endpoint;
  readonly options: RegisterOptions;
}

/** Registers every entry; if one fails, the ones already made are withdrawn again. */
export async function registerAll(session: WampSession, entries: readonly RegisterEntry[]): Promise<Registrations> {
  const done: Registration[] = [];
  try {
    for (const entry of entries) done.push(await session.register(entry.uri, entry.endpoint, entry.options));
  } catch (error) {
    await Promise.allSettled(done.map((r) => r.unregister()));
    throw error;
  }
  return { registrations: done, unregister: async () => { await Promise.all(done.map((r) => r.unregister())); } };
}
