/**
 * The seed application's API as a wampgen schema: the topic it publishes to and the procedure
 * it registers, plus a progressive one. `npm run demo` generates typed stubs from this file.
 */
import type { Progress } from 'wampkit/codegen/schema';

/** @wamp.topics com.myapp */
export interface Greetings {
  /** Someone says hello. */
  hello(msg: string): void;
}

/** @wamp.procedures com.myapp */
export interface MyApp {
  /** Adds two numbers. */
  add2(x: number, y: number): number;

  /**
   * Counts down from `from`, one progressive result per step, then 'liftoff'.
   * @wamp.progressive
   */
  countdown(from: number): Progress<number, 'liftoff'>;
}
