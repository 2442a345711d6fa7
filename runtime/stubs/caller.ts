/**
 * The caller side of generated stubs: a base class holding the session and per-stub options,
 * result decoders, and the call paths (single and progressive) that validate results and turn
 * declared application errors into their generated classes.
 */
import { ApplicationError } from '../wamp/application-error.js';
import type { CallResult, Kwargs, WampSession } from '../wamp/types.js';
import { splitStubOptions, validatesOutbound, type CallerOptions, type CallerStubOptions } from './options.js';
import { check, InvalidPayloadError, toIssues, type PayloadSchema } from './schema.js';
import { targetUri, type Target } from './target.js';

/** Turns an ApplicationError with a declared URI into its typed class (or undefined). */
export type ErrorParser = (error: ApplicationError) => Error | undefined;

export type Decoder<R> = (uri: string, result: CallResult) => R;

/** One positional result: `args[0]`. */
export function single<R>(schema: PayloadSchema<R>): Decoder<R> {
  return (uri, result) => check(schema, result.args[0], uri, 'result');
}

/** Several positional results: the whole `args` array. */
export function multiple<R>(schema: PayloadSchema<R>): Decoder<R> {
  return (uri, result) => check(schema, result.args, uri, 'results');
}

/** A keyword result: the whole `kwargs` object. */
export function keywords<R>(schema: PayloadSchema<R>): Decoder<R> {
  return (uri, result) => check(schema, result.kwargs, uri, 'keyword results');
}

/** No result. */
export const none: Decoder<void> = () => undefined;

/** The schemas outbound validation checks a call's or event's payload against. */
export interface OutboundSchemas {
  readonly args: PayloadSchema<unknown>;
  readonly kwargs?: PayloadSchema<unknown>;
}

const STATE: unique symbol = Symbol('wampkit.stubs.state');

interface StubState {
  readonly session: WampSession;
  readonly options: CallerOptions;
  readonly validate: boolean | undefined;
}

/**
 * What every generated caller class extends: `new XCaller(session, defaults?)`, and
 * `caller.with(options)` for a copy with other defaults (`signal`, `timeout`, `discloseMe`,
 * `validateOutbound`), so call options never need `undefined` for skipped optional parameters.
 */
export class CallerStub {
  readonly [STATE]: StubState;

  constructor(session: WampSession, options?: CallerStubOptions) {
    const { wamp, validate } = splitStubOptions<CallerOptions>(options, 'caller');
    this[STATE] = { session, options: wamp, validate };
  }

  /** A caller of the same procedures with these options on top of this one's. */
  with(options: CallerStubOptions): this {
    const { wamp, validate } = splitStubOptions<CallerOptions>(options, 'caller');
    const state = this[STATE];
    const copy: this = Object.create(Object.getPrototypeOf(this) as object);
    Object.defineProperty(copy, STATE, { value: { session: state.session, options: { ...state.options, ...wamp }, validate: validate ?? state.validate } });
    return copy;
  }
}

function typedError(error: unknown, errors: readonly ErrorParser[]): unknown {
  if (!ApplicationError.is(error)) return error;
  for (const parse of errors) {
    const typed = parse(error);
    if (typed !== undefined) return typed;
  }
  return error;
}

/**
 * Positional arguments without trailing omitted optionals: JSON would turn them into null, which
 * the other side's schema rightly rejects for an optional parameter.
 */
export function positional(values: unknown[]): unknown[] {
  let end = values.length;
  while (end > 0 && values[end - 1] === undefined) end--;
  return end === values.length ? values : values.slice(0, end);
}

function prepare(stub: CallerStub, target: Target, schemas: OutboundSchemas, args: unknown[], kwargs: Kwargs | undefined) {
  const state = stub[STATE];
  const uri = targetUri(target);
  if (validatesOutbound(state.validate)) {
    check(schemas.args, args, uri, 'arguments');
    if (schemas.kwargs !== undefined) check(schemas.kwargs, kwargs ?? {}, uri, 'keyword arguments');
  }
  return { state, uri };
}

function merged(state: StubState, options: CallerOptions | undefined): CallerOptions {
  return options === undefined ? state.options : { ...state.options, ...options };
}

/** Calls a procedure, decodes its result and narrows declared application errors. */
export async function call<R>(
  stub: CallerStub, target: Target, schemas: OutboundSchemas, args: unknown[], kwargs: Kwargs | undefined,
  options: CallerOptions | undefined, decode: Decoder<R>, errors: readonly ErrorParser[],
): Promise<R> {
  const { state, uri } = prepare(stub, target, schemas, args, kwargs);
  let result: CallResult;
  try {
    result = await state.session.callResult(uri, args, kwargs ?? {}, merged(state, options));
  } catch (error) {
    throw typedError(error, errors);
  }
  return decode(uri, result);
}

/**
 * A progressive call: iterate it for the progressive results, await `result` for the final one.
 * Progressive results that arrive while nobody iterates are buffered.
 */
export class ProgressiveCall<P, R> implements AsyncIterable<P> {
  readonly result: Promise<R>;
  readonly #queue: P[] = [];
  readonly #signal: AbortSignal | undefined;
  #wake: (() => void) | undefined;
  #done = false;
  #failure: { error: unknown } | undefined;

  /** Once `signal` aborts, buffered progressive results are dropped: a canceled call yields no more. */
  constructor(start: (push: (value: P) => void) => Promise<R>, signal?: AbortSignal) {
    this.#signal = signal;
    this.result = start((value) => {
      if (this.#signal?.aborted === true) return;
      this.#queue.push(value);
      this.#notify();
    }).then(
      (value) => { this.#done = true; this.#notify(); return value; },
      (error: unknown) => { this.#done = true; this.#failure = { error }; this.#notify(); throw error; },
    );
    // Iterating alone must not leave an unhandled rejection behind; `result` still rejects.
    this.result.catch(() => undefined);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<P, void, undefined> {
    for (;;) {
      if (this.#signal?.aborted === true) this.#queue.length = 0;
      if (this.#queue.length > 0) {
        yield this.#queue.shift() as P;
        continue;
      }
      if (this.#done) {
        if (this.#failure !== undefined) throw this.#failure.error;
        return;
      }
      await new Promise<void>((resolve) => { this.#wake = resolve; });
    }
  }
}

/** Calls a progressive procedure; progressive results are validated one by one. */
export function callProgressive<P, R>(
  stub: CallerStub, target: Target, schemas: OutboundSchemas, args: unknown[], kwargs: Kwargs | undefined,
  options: CallerOptions | undefined, progress: PayloadSchema<P>, decode: Decoder<R>, errors: readonly ErrorParser[],
): ProgressiveCall<P, R> {
  return new ProgressiveCall<P, R>(async (push) => {
    const { state, uri } = prepare(stub, target, schemas, args, kwargs);
    let invalid: InvalidPayloadError | undefined;
    let result: CallResult;
    try {
      result = await state.session.callResult(uri, args, kwargs ?? {}, {
        ...merged(state, options),
        onProgress: (progressArgs) => {
          if (invalid !== undefined) return;
          const parsed = progress.safeParse(progressArgs[0]);
          if (parsed.success) push(parsed.data);
          else invalid = new InvalidPayloadError(uri, 'progressive result', toIssues(parsed.error.issues));
        },
      });
    } catch (error) {
      throw typedError(error, errors);
    }
    if (invalid !== undefined) throw invalid;
    return decode(uri, result);
  }, options?.signal ?? stub[STATE].options.signal);
}
