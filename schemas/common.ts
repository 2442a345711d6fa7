/** Payload types shared by the example APIs. */

/** A page of results with a cursor for the next page. */
export interface Page<T> {
  items: T[];
  /** Cursor of the next page; null on the last page. */
  next: string | null;
}

/** Who did something. */
export interface User {
  id: string;
  name: string;
  /** Avatar image bytes (PNG), when the user has one. */
  avatar?: Uint8Array;
}

export enum Severity {
  Info = 'info',
  Warning = 'warning',
  Error = 'error',
}
