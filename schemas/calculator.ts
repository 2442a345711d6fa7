/** A calculator: the classic WAMP example, typed. */
import type { Kwargs, Progress, Results } from 'wampkit/codegen/schema';

/** @wamp.error com.example.calc.division_by_zero */
export interface DivisionByZero {
  /** The dividend that was divided by zero. */
  dividend: number;
}

/** @wamp.error com.example.calc.overflow */
export interface Overflow {
  limit: number;
}

/** Options of `sum`, sent as keyword arguments. */
export interface SumOptions {
  /** Round the result to this many decimals. */
  decimals?: number;
}

/** @wamp.procedures com.example.calc */
export interface Calculator {
  /**
   * Adds two numbers.
   * @param x the first addend
   * @param y the second addend
   * @returns x + y
   */
  add2(x: number, y: number): number;

  /**
   * Divides x by y.
   * @throws {DivisionByZero} when y is 0
   */
  div(x: number, y: number): number;

  /** Integer division: quotient and remainder as two positional results. */
  divmod(x: number, y: number): Results<[quotient: number, remainder: number]>;

  /**
   * Sums a list, with options as keyword arguments.
   * @throws {Overflow} when the sum exceeds the limit
   */
  sum(values: number[], options: Kwargs<SumOptions>): number;

  /**
   * Counts down from `from`, sending each number as a progressive result, then 'done'.
   * @wamp.progressive
   */
  countdown(from: number): Progress<number, 'done'>;

  /**
   * Echoes anything under com.example.calc.echo.* (a prefix registration); the callee sees
   * the URI that was called.
   * @wamp.uri com.example.calc.echo
   * @wamp.match prefix
   */
  echo(text: string): string;
}
