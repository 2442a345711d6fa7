/** Stable error codes of wampkit/stubs, the runtime of wampgen's output. A leaf module (no imports); see runtime/errors.ts. */
export const StubsErrorCode = {
  /** Generated code was made for a stubs API this runtime does not serve. */
  API_MISMATCH: 'STUBS_API_MISMATCH',
  /** configureStubs or a stub's options were given an invalid value. */
  INVALID_OPTION: 'STUBS_INVALID_OPTION',
  /** A URI does not match the pattern a stub was generated for. */
  URI_MISMATCH: 'STUBS_URI_MISMATCH',
} as const;
export type StubsErrorCode = (typeof StubsErrorCode)[keyof typeof StubsErrorCode];
