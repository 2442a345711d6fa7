/**
 * Testament helpers (Advanced Profile, testament meta API): the calls to
 * `wamp.session.add_testament` and `wamp.session.flush_testaments` with checked arguments.
 */
import type { Args, Kwargs } from './types.js';
import type { TestamentOptions } from './session-types.js';
import { checkArgs, checkUriArgument, invalidArgument } from './session-checks.js';
import { publishOptionsDict } from './session-pubsub.js';

export const TestamentProcedure = {
  ADD: 'wamp.session.add_testament',
  FLUSH: 'wamp.session.flush_testaments',
} as const;

const SCOPES = new Set(['destroyed', 'detached']);

function checkScope(scope: unknown): void {
  if (scope !== undefined && !SCOPES.has(scope as string)) {
    throw invalidArgument(`testament scope must be 'destroyed' or 'detached', got ${JSON.stringify(scope)}`);
  }
}

/** [procedure, args, kwargs] of add_testament. */
export function addTestamentCall(topic: string, args: Args | undefined, kwargs: Kwargs | undefined, options: TestamentOptions = {}): [string, Args, Kwargs] {
  checkUriArgument(topic, 'topic');
  checkArgs(args, kwargs);
  checkScope(options.scope);
  const k: Kwargs = {};
  if (options.scope !== undefined) k['scope'] = options.scope;
  if (options.publishOptions !== undefined) {
    const { acknowledge: _ignored, ...rest } = options.publishOptions;
    k['publish_options'] = publishOptionsDict(rest);
  }
  return [TestamentProcedure.ADD, [topic, args ?? [], kwargs ?? {}], k];
}

/** [procedure, args, kwargs] of flush_testaments. */
export function flushTestamentsCall(scope: TestamentOptions['scope']): [string, Args, Kwargs] {
  checkScope(scope);
  return [TestamentProcedure.FLUSH, [], scope === undefined ? {} : { scope }];
}
