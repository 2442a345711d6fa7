/**
 * What the stubs need from a validator, written structurally: anything with zod's `safeParse`
 * shape fits (zod 4, and zod 3.25+ through `zod/v4` or its v3 API). The runtime never imports
 * zod itself, so the schemas generated code builds with the project's own zod are the only
 * zod in play, and wampkit's types do not depend on which zod version is installed.
 */

/** One issue as zod reports it. */
export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
}

export type SafeParseResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly error: { readonly issues: readonly SchemaIssue[] } };

/** A validator for payloads of type `T` (a zod schema). */
export interface PayloadSchema<T> {
  safeParse(value: unknown): SafeParseResult<T>;
}

/** One validation problem, in a form every serializer can carry. */
export interface PayloadIssue {
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

export function toIssues(issues: readonly SchemaIssue[]): PayloadIssue[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code ?? 'invalid' }));
}

/** Issues as one line for messages and logs: `path: message; …`. */
export function describeIssues(issues: readonly PayloadIssue[]): string {
  return issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
}

/**
 * A payload did not match its schema: a result, progress or error payload from the other side,
 * or (with outbound validation on) arguments or an event about to be sent.
 */
export class InvalidPayloadError extends Error {
  readonly uri: string;
  readonly issues: readonly PayloadIssue[];

  constructor(uri: string, what: string, issues: readonly PayloadIssue[]) {
    super(`${uri}: invalid ${what}: ${describeIssues(issues)}`);
    this.name = 'InvalidPayloadError';
    this.uri = uri;
    this.issues = issues;
  }
}

/** The parsed value, or an InvalidPayloadError naming `uri` and `what` was checked. */
export function check<T>(schema: PayloadSchema<T>, value: unknown, uri: string, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidPayloadError(uri, what, toIssues(parsed.error.issues));
  return parsed.data;
}
