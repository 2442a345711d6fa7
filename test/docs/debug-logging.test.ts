// runtime/log.ts: the WAMPKIT_DEBUG switch (quiet by default; areas and levels).
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { configureLogging, logger, parseLogSpec, LogLevel, LogErrorCode } from '../../runtime/log.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function capture(spec: string | undefined): string[] {
  const lines: string[] = [];
  configureLogging(spec, { sink: (line) => lines.push(line) });
  return lines;
}

describe('debug logging (WAMPKIT_DEBUG)', () => {
  afterEach(() => configureLogging(undefined));

  test('quiet by default: nothing is written and lazy messages are never built', () => {
    const lines = capture(undefined);
    const log = logger('router');
    let built = 0;
    for (const level of ['error', 'warn', 'info', 'debug', 'trace'] as const) log[level](() => `${++built}`);
    assert.deepEqual(lines, []);
    assert.equal(built, 0);
    assert.equal(log.enabled('error'), false);
  });

  test('an area named alone logs up to debug; area:level and * set levels; sub-areas follow their parent', () => {
    const lines = capture('router, wamp:trace, *:warn, websocket:off');
    logger('router').debug('joined');
    logger('router').trace('not shown');
    logger('router:realm').info('sub-area follows router');
    logger('wamp').trace(() => 'HELLO');
    logger('auth').warn('wildcard warn');
    logger('auth').info('not shown');
    logger('websocket').error('off means off');
    assert.deepEqual(lines, [
      'wampkit:router debug joined',
      'wampkit:router:realm info sub-area follows router',
      'wampkit:wamp trace HELLO',
      'wampkit:auth warn wildcard warn',
    ]);
  });

  test('a named sub-area overrides its parent', () => {
    const lines = capture('router:info,router:dealer:trace');
    logger('router:dealer').trace('call');
    logger('router:broker').debug('not shown');
    assert.deepEqual(lines, ['wampkit:router:dealer trace call']);
  });

  test('bad specs and areas are refused naming the bad value; a failing message does not throw', () => {
    assert.throws(() => parseLogSpec('router:loud,Wamp!'), { code: LogErrorCode.INVALID_SPEC, message: /"Wamp!" is not an area/ });
    assert.throws(() => logger('Router'), { message: /got "Router"/ });
    assert.deepEqual([...parseLogSpec(' router:trace , ,*').entries()], [['router', LogLevel.trace], ['*', LogLevel.debug]]);
    const lines = capture('x');
    logger('x').debug(() => { throw new Error('boom'); });
    assert.deepEqual(lines, ['wampkit:x debug (log message failed: boom)']);
  });

  test('the environment variable is read at load; a bad value is reported once and logging stays off', () => {
    const script = "import { logger } from './runtime/log.ts'; logger('router').info('listening'); logger('wamp').debug('quiet');";
    const run = (value: string) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, WAMPKIT_DEBUG: value },
    });
    const on = run('router:info');
    assert.equal(on.status, 0, on.stderr);
    assert.equal(on.stderr, 'wampkit:router info listening\n');
    const bad = run('router:shouty!');
    assert.equal(bad.status, 0, bad.stderr);
    assert.match(bad.stderr, /^wampkit: WAMPKIT_DEBUG: "router:shouty!" is not an area .*; debug logging stays off\n$/);
  });
});
