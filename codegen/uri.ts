/**
 * WAMP URI checks (loose rules: components without whitespace, '.' or '#'). Wildcard patterns
 * may leave components empty; exact and prefix URIs may not.
 */
import type { MatchPolicy } from './model.js';

const COMPONENT = /^[^\s.#]+$/;

export function uriProblem(uri: string, match: MatchPolicy): string | undefined {
  if (uri === '') return 'the URI is empty';
  const parts = uri.split('.');
  for (const part of parts) {
    if (part === '') {
      if (match === 'wildcard') continue;
      return `"${uri}" has an empty component (only wildcard patterns may)`;
    }
    if (!COMPONENT.test(part)) return `"${uri}" has a component with whitespace or '#'`;
  }
  if (match === 'wildcard' && !parts.includes('')) return `wildcard pattern "${uri}" has no empty component to match`;
  if (uri.startsWith('wamp.')) return `"${uri}" is in the reserved wamp.* namespace`;
  return undefined;
}
