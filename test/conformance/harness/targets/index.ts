/** Chooses the implementation under test: ours by default, `ws` with CONFORMANCE_TARGET=ws. */
import type { EngineTarget } from '../target-types.js';
import { wampkitTarget } from './wampkit-target.js';
import { wsTarget } from './ws-target.js';

export function loadTarget(): EngineTarget {
  return process.env['CONFORMANCE_TARGET'] === 'ws' ? wsTarget : wampkitTarget;
}
