/** Placeholder until the engine's server and client land: the suite refers to them here only. */
import type { EngineTarget } from '../target-types.js';
import { wsTarget } from './ws-target.js';

export const wampkitTarget: EngineTarget = { ...wsTarget, name: 'ws(placeholder)' };
