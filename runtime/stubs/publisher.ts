/**
 * The publisher side of generated stubs: a base class holding the session and per-stub publish
 * options, and the publish path (pattern topics checked, outbound validation when asked for).
 */
import type { Kwargs, Publication, PublishOptions, WampSession } from '../wamp/types.js';
import type { OutboundSchemas } from './caller.js';
import { splitStubOptions, validatesOutbound, type PublisherStubOptions } from './options.js';
import { check } from './schema.js';
import { targetUri, type Target } from './target.js';

const STATE: unique symbol = Symbol('wampkit.stubs.publisher');

interface PublisherState {
  readonly session: WampSession;
  readonly options: PublishOptions;
  readonly validate: boolean | undefined;
}

/**
 * What every generated publisher class extends: `new XPublisher(session, defaults?)`, and
 * `publisher.with(options)` for a copy with other defaults (`acknowledge`, `excludeMe`,
 * `validateOutbound`, …). Options the schema fixes still win.
 */
export class PublisherStub {
  readonly [STATE]: PublisherState;

  constructor(session: WampSession, options?: PublisherStubOptions) {
    const { wamp, validate } = splitStubOptions<PublishOptions>(options, 'publisher');
    this[STATE] = { session, options: wamp, validate };
  }

  /** A publisher of the same topics with these options on top of this one's. */
  with(options: PublisherStubOptions): this {
    const { wamp, validate } = splitStubOptions<PublishOptions>(options, 'publisher');
    const state = this[STATE];
    const copy: this = Object.create(Object.getPrototypeOf(this) as object);
    Object.defineProperty(copy, STATE, { value: { session: state.session, options: { ...state.options, ...wamp }, validate: validate ?? state.validate } });
    return copy;
  }
}

/**
 * Publishes an event (a pattern member's concrete topic is checked first). `fixed` holds the
 * options the schema sets; they win over the stub's and the call's.
 */
export async function publish(
  stub: PublisherStub, target: Target, schemas: OutboundSchemas, args: unknown[], kwargs: Kwargs,
  options: PublishOptions | undefined, fixed?: PublishOptions,
): Promise<Publication | undefined> {
  const state = stub[STATE];
  const uri = targetUri(target);
  if (validatesOutbound(state.validate)) {
    check(schemas.args, args, uri, 'event arguments');
    if (schemas.kwargs !== undefined) check(schemas.kwargs, kwargs, uri, 'event keyword arguments');
  }
  return state.session.publish(uri, args, kwargs, { ...state.options, ...options, ...fixed });
}
