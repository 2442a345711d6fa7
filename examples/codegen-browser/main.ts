/// <reference lib="dom" />
/**
 * A browser app that bundles the stubs wampgen generates from schema/ (into generated/, by the
 * Vite or esbuild plugin at build time): it joins the router the page was served with and calls
 * the greeter.
 */
import { connect } from 'wampkit/browser';
import { GreeterCaller, GreeterEventsPublisher } from './generated/index.js';

async function main(): Promise<void> {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const session = await connect({ transports: [{ url, serializers: ['json'] }], realm: 'realm1', maxRetries: 0 });
  const text = await new GreeterCaller(session).greet('browser', 2);
  await new GreeterEventsPublisher(session).greeted('browser');
  document.body.append(text);
}

void main();
