/**
 * A tiny typed event emitter with no Node built-ins, so the transport layer (and the browser
 * client path) stays free of `node:events`. Listener errors are not caught: an exception in a
 * listener is the listener's bug and surfaces where it was thrown.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventMap = { [event: string]: (...args: any[]) => void };

export class Emitter<E extends EventMap> {
  #listeners = new Map<keyof E, Array<E[keyof E]>>();

  on<K extends keyof E>(event: K, listener: E[K]): this {
    const list = this.#listeners.get(event);
    if (list === undefined) this.#listeners.set(event, [listener]);
    else list.push(listener);
    return this;
  }

  once<K extends keyof E>(event: K, listener: E[K]): this {
    const wrapped = ((...args: Parameters<E[K]>) => {
      this.off(event, wrapped);
      listener(...args);
    }) as E[K];
    return this.on(event, wrapped);
  }

  off<K extends keyof E>(event: K, listener: E[K]): this {
    const list = this.#listeners.get(event);
    if (list === undefined) return this;
    const at = list.indexOf(listener);
    if (at >= 0) list.splice(at, 1);
    return this;
  }

  /** Returns true when somebody listened. */
  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): boolean {
    const list = this.#listeners.get(event);
    if (list === undefined || list.length === 0) return false;
    if (list.length === 1) {
      (list[0] as E[K])(...args);
      return true;
    }
    for (const listener of list.slice()) (listener as E[K])(...args);
    return true;
  }
}
