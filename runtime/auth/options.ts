/** Option checks shared by the client authenticators (the public boundary: name the bad option, never echo a secret). */
import { invalidOption } from './errors.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireOptions(options: unknown, method: string): Record<string, unknown> {
  if (!isRecord(options)) throw invalidOption(`${method}() options must be an object, got ${typeof options}`);
  return options;
}

/** A required non-empty string; `secret` options are reported without their value. */
export function requireString(options: Record<string, unknown>, name: string, method: string, secret = false): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') {
    const shown = secret ? typeof value : JSON.stringify(value);
    throw invalidOption(`${method}(): ${name} must be a non-empty string, got ${shown}`);
  }
  return value;
}

export function optionalString(options: Record<string, unknown>, name: string, method: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalidOption(`${method}(): ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

export function optionalRecord(options: Record<string, unknown>, name: string, method: string): Record<string, unknown> | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw invalidOption(`${method}(): ${name} must be an object, got ${JSON.stringify(value)}`);
  return value;
}

/** An integer in [min, max], or undefined when absent. */
export function integerIn(value: unknown, min: number, max: number): number | undefined {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? (value as number) : undefined;
}
