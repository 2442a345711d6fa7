/**
 * The seed's component — subscribe, publish, register add2, call add2 — written against the
 * stubs wampgen generated from ./schema/myapp.ts. Every payload is typed at compile time and
 * validated with zod at run time, on both ends.
 */
import { ApplicationError, ApplicationSession, type SessionDetails } from 'wampkit';
import { GreetingsPublisher, MyAppCaller, registerMyApp, subscribeGreetings } from './gen/myapp/index.js';
import { CalculatorCaller, DivisionByZeroError, OverflowError, registerCalculator } from './gen/schemas/index.js';

/** How often the demo's countdown ticks; short so the demo stays quick. */
const TICK_MS = 20;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

export class TypedHello extends ApplicationSession {
  readonly #say: (line: string) => void;

  constructor(realm: string, say: (line: string) => void) {
    super({ realm });
    this.#say = say;
  }

  override async onJoin(details: SessionDetails): Promise<void> {
    const say = this.#say;
    say(`joined realm ${details.realm} as session ${details.session}`);

    // 1. subscribe to a topic so we receive events (the handler gets a string, checked by zod)
    let onHello: (msg: string) => void = () => {};
    const gotEvent = new Promise<string>((resolve) => (onHello = resolve));
    await subscribeGreetings(this, { hello: (msg) => onHello(msg) });
    say('1. subscribed to com.myapp.hello');

    // 2. publish an event to that topic (not excluding ourselves, so we see it)
    await new GreetingsPublisher(this).hello('Hello, world!', { excludeMe: false, acknowledge: true });
    say('2. published to com.myapp.hello');
    say(`   Got event: ${await gotEvent}`);

    // 3. register procedures for remote calling: the arguments arrive validated
    await registerMyApp(this, {
      add2: (x, y) => x + y,
      async *countdown(from, invocation) {
        for (let i = from; i > 0 && !invocation.signal.aborted; i--) {
          yield i;
          await sleep(TICK_MS, invocation.signal);
        }
        return 'liftoff';
      },
    });
    say('3. registered com.myapp.add2 and com.myapp.countdown');

    // 4. call a remote procedure
    const app = new MyAppCaller(this);
    say(`4. called com.myapp.add2(2, 3). Got result: ${await app.add2(2, 3)}`);

    // Beyond the seed: progressive results, cancellation, and validation at the callee.
    const countdown = app.countdown(3);
    const steps: number[] = [];
    for await (const n of countdown) steps.push(n);
    say(`   countdown(3) progressed ${steps.join(', ')} and returned '${await countdown.result}'`);

    const controller = new AbortController();
    const long = app.countdown(1000, { signal: controller.signal });
    let seen = 0;
    try {
      for await (const _n of long) if (++seen === 2) controller.abort();
    } catch {
      // the iteration ends with the cancellation; `result` says why
    }
    const canceled = await long.result.then(() => 'finished?!', (e: unknown) => (ApplicationError.is(e) ? e.error : e instanceof Error ? e.name : String(e)));
    say(`   countdown(1000) canceled after ${seen} steps: ${canceled}`);

    try {
      await this.call('com.myapp.add2', ['two', 3]); // untyped on purpose: the stub would not compile
      say('   add2("two", 3) was accepted?!');
    } catch (e) {
      say(`   add2("two", 3) refused by the callee's validation: ${ApplicationError.is(e) ? e.error : String(e)}`);
    }

    // The example API in schemas/: declared errors as classes, several results, a prefix registration.
    const calculator = await registerCalculator(this, {
      add2: (x, y) => x + y,
      div: (x, y) => {
        if (y === 0) throw new DivisionByZeroError({ dividend: x });
        return x / y;
      },
      divmod: (x, y) => [Math.floor(x / y), x % y],
      sum: (values, options) => {
        const total = values.reduce((a, b) => a + b, 0);
        if (total > 1e9) throw new OverflowError({ limit: 1e9 });
        return options.decimals === undefined ? total : Number(total.toFixed(options.decimals));
      },
      async *countdown(from) {
        for (let i = from; i > 0; i--) yield i;
        return 'done';
      },
      echo: (text, invocation) => `${text} (called as ${invocation.procedure})`,
    });
    const calc = new CalculatorCaller(this);
    const [quotient, remainder] = await calc.divmod(17, 5);
    say(`   schemas/calculator.ts: divmod(17, 5) = ${quotient} remainder ${remainder}`);
    const refused = await calc.div(1, 0).then(() => 'no error?!', (e: unknown) => (e instanceof DivisionByZeroError ? `DivisionByZeroError (dividend ${e.detail.dividend})` : String(e)));
    say(`   schemas/calculator.ts: div(1, 0) threw ${refused}`);
    say(`   schemas/calculator.ts: echo by prefix: ${await calc.echo('com.example.calc.echo.loud', 'hi')}`);
    await calculator.unregister();

    await this.leave();
  }
}
