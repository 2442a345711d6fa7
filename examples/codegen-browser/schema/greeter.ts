/** The example app's API: one procedure and one topic. */
import type { Int } from 'wampkit/codegen/schema';

/** @wamp.procedures com.example.greeter */
export interface Greeter {
  /** Greets `name`, `times` times. */
  greet(name: string, times?: Int): string;
}

/** @wamp.topics com.example.greeter.events */
export interface GreeterEvents {
  greeted(name: string): void;
}
