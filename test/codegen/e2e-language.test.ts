/**
 * The schema language's constructs end to end: the golden output of fixtures/language (shop.ts)
 * through the embedded router over WebSockets: integers (1.5 is refused), int64 as bigint over
 * MessagePack, string formats, template literal types, records with literal keys, readonly
 * members, keyword arguments that may be left out, and call options through `with()`.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationError } from 'wampkit';
import { Router } from '../../runtime/router/router.js';
import { connectWebSocketTransport } from '../../runtime/transports/websocket-transport.js';
import { ApplicationSession, type SessionDetails } from '../../runtime/wamp/session.js';
import {
  Currency, OutOfStockError, ShopCaller, ShopEventsPublisher, ShopLedgerCaller, registerShop, registerShopLedger, subscribeShopEvents,
  InvalidPayloadError, type Filters, type Product, type Sku,
} from './fixtures/language/expected/index.js';

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

async function connect(url: string, serializer: 'json' | 'msgpack'): Promise<ApplicationSession> {
  const transport = await connectWebSocketTransport(url, { serializers: [serializer] });
  const session = new ApplicationSession({ realm: 'realm1' });
  const joined = new Promise<SessionDetails>((resolve, reject) => {
    session.once('join', resolve);
    session.once('leave', (d) => reject(new Error(`left: ${d.reason}`)));
  });
  session.attach(transport);
  await withTimeout(joined, 3000, 'join');
  return session;
}

const PRODUCT: Product = {
  sku: 'sku-42', id: '3b241101-e2bb-4255-8caf-4136c566a962', name: 'Lamp', cents: 1999,
  prices: { EUR: 1999, USD: 2199 }, stock: { [Currency.Eur]: 3, [Currency.Usd]: 0 },
  tags: ['light'], dimensions: [20, 40], homepage: 'https://example.com/lamp',
  launched: '2025-01-31', updatedAt: '2025-01-31T12:00:00+01:00', region: 'eu-1',
};

const invalidArgument = (e: unknown): boolean => ApplicationError.is(e) && e.error === 'wamp.error.invalid_argument';

describe('the schema language through the embedded router', () => {
  let router: Router;
  let callee: ApplicationSession;
  let client: ApplicationSession;
  let binaryCallee: ApplicationSession;
  let binaryClient: ApplicationSession;
  const searches: Filters[] = [];

  before(async () => {
    router = new Router({ realms: ['realm1'], listeners: [{ type: 'websocket', port: 0 }] });
    const [url] = await router.start();
    assert.ok(url !== undefined);
    [callee, client, binaryCallee, binaryClient] = await Promise.all([connect(url, 'json'), connect(url, 'json'), connect(url, 'msgpack'), connect(url, 'msgpack')]);
    await registerShop(callee, {
      product: (sku) => ({ ...PRODUCT, sku }),
      order: (order) => {
        if (order.quantity > 3) throw new OutOfStockError({ sku: order.product, available: 3 }, 'only 3 left');
        return '0b5e4d3c-2a19-4f08-9e7d-6c5b4a392817';
      },
      search: (filters) => { searches.push(filters); return [PRODUCT]; },
      page: (after, limit) => (after === undefined ? [PRODUCT] : Array.from({ length: limit ?? 1 }, () => PRODUCT)),
    });
    await registerShopLedger(binaryCallee, { total: () => 2n ** 62n });
  });

  after(async () => {
    await Promise.allSettled([callee, client, binaryCallee, binaryClient].map((s) => s.leave()));
    for (const s of [callee, client, binaryCallee, binaryClient]) s.disconnect();
    await router.close();
  });

  test('records with literal keys, readonly members, formats and template literals travel and validate', async () => {
    const p = await new ShopCaller(client).product('sku-7');
    assert.equal(p.sku, 'sku-7');
    assert.deepEqual(p.prices, { EUR: 1999, USD: 2199 });
    assert.deepEqual(p.stock, { EUR: 3, USD: 0 });
    assert.deepEqual(p.dimensions, [20, 40]);
  });

  test('the callee refuses what the schema refuses: 1.5 for an Int, a bad email, a template mismatch', async () => {
    const order = (quantity: number, contact: string, product: string) => client.call('com.example.shop.order', [{ product, quantity, contact }]);
    await assert.rejects(order(1.5, 'a@example.com', 'sku-1'), invalidArgument, 'an Int refuses 1.5');
    await assert.rejects(order(1, 'not an email', 'sku-1'), invalidArgument, 'an Email refuses a non-address');
    await assert.rejects(order(1, 'a@example.com', 'SKU1'), invalidArgument, '`sku-${number}` refuses SKU1');
    assert.equal(await order(1, 'a@example.com', 'sku-1'), '0b5e4d3c-2a19-4f08-9e7d-6c5b4a392817');
  });

  test('a typed error keeps its payload', async () => {
    await assert.rejects(new ShopCaller(client).order({ product: 'sku-1', quantity: 9, contact: 'a@example.com' }),
      (e: unknown) => e instanceof OutOfStockError && e.detail.available === 3 && e.detail.sku === 'sku-1');
  });

  test('keyword arguments that are all optional can be left out', async () => {
    searches.length = 0;
    const shop = new ShopCaller(client);
    assert.equal((await shop.search()).length, 1);
    await shop.search({ tag: 'light' });
    assert.deepEqual(searches, [{}, { tag: 'light' }]);
  });

  test('call options without padding optional parameters: with(), and constructor defaults', async () => {
    const calls: { procedure: string; timeout?: number; discloseMe?: boolean }[] = [];
    const spy = new Proxy(client, {
      get(target, key, receiver) {
        if (key === 'callResult') {
          return (procedure: string, args: unknown[], kwargs: Record<string, unknown>, options: { timeout?: number; discloseMe?: boolean } = {}) => {
            calls.push({ procedure, ...(options.timeout !== undefined ? { timeout: options.timeout } : {}), ...(options.discloseMe !== undefined ? { discloseMe: options.discloseMe } : {}) });
            return target.callResult(procedure, args, kwargs, options);
          };
        }
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const shop = new ShopCaller(spy, { timeout: 5000 });
    await shop.with({ discloseMe: true }).page();
    await shop.page('sku-1', 2, { timeout: 100 });
    await shop.search();
    assert.deepEqual(calls, [
      { procedure: 'com.example.shop.page', timeout: 5000, discloseMe: true },
      { procedure: 'com.example.shop.page', timeout: 100 },
      { procedure: 'com.example.shop.search', timeout: 5000 },
    ]);
  });

  test('Int64 travels as bigint over MessagePack', async () => {
    assert.equal(await new ShopLedgerCaller(binaryClient).total(), 2n ** 62n);
  });

  test('events with optional keyword arguments; an invalid event goes to onInvalid', async () => {
    const got: [Sku, { by?: string | undefined; count?: number | undefined }][] = [];
    const invalid: string[] = [];
    const subs = await subscribeShopEvents(client, { restocked: (sku, info) => { got.push([sku, info]); } }, { onInvalid: (e) => invalid.push(e.issues[0]?.path ?? '') });
    const events = new ShopEventsPublisher(callee, { acknowledge: true });
    await events.restocked('sku-3');
    await events.restocked('sku-4', { count: 2 });
    await callee.publish('com.example.shop.events.restocked', ['sku-5'], { count: 1.5 }, { acknowledge: true });
    for (let i = 0; i < 300 && (got.length < 2 || invalid.length < 1); i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, [['sku-3', {}], ['sku-4', { count: 2 }]]);
    assert.deepEqual(invalid, ['count']);
    await subs.unsubscribe();
  });

  test('outbound validation: off by default; on per stub, nothing is sent and InvalidPayloadError names the URI', async () => {
    const loose = new ShopCaller(client);
    const sneaky = { product: 'sku-1', quantity: 1.5, contact: 'a@example.com' } as unknown as Parameters<ShopCaller['order']>[0];
    await assert.rejects(loose.order(sneaky), invalidArgument, 'without it the callee refuses');
    const strict = loose.with({ validateOutbound: true });
    await assert.rejects(strict.order(sneaky), (e: unknown) => e instanceof InvalidPayloadError && e.uri === 'com.example.shop.order' && e.issues[0]?.path === '0.quantity');
    const events = new ShopEventsPublisher(callee, { validateOutbound: true });
    await assert.rejects(events.restocked('sku-1', { count: 0.5 }), (e: unknown) => e instanceof InvalidPayloadError && /invalid event keyword arguments/.test(e.message));
  });
});
