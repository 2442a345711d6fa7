/**
 * Static files beside the WAMP endpoint: a browser page served by the router's own HTTP
 * listener shares the router's origin, so it connects to `ws://<same host>/ws` with no CORS or
 * second server. Meant for demos and small apps; a production site sits behind a web server.
 *
 * The handler answers GET and HEAD for files under `root` and returns false for everything
 * else (other methods, paths outside `root`, missing files), leaving the request to the caller.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { createError } from '../errors.js';
import { RouterErrorCode } from './error-codes.js';

/** The static-file server's error codes (part of the router's table). */
export const StaticFilesErrorCode = {
  INVALID_OPTION: RouterErrorCode.STATIC_FILES_INVALID_OPTION,
} as const;

/** Content types by extension; anything else is served as bytes. */
export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
} as const satisfies Record<string, string>;

const OCTET_STREAM = 'application/octet-stream';
const SERVED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

export interface StaticFilesOptions {
  /** The directory to serve; nothing outside it is ever read (symbolic links included). */
  root: string;
  /** File served for a path ending in `/`. Default `index.html`. */
  index?: string;
}

/** Returns true when it answered the request, false when the request is not for a file it serves. */
export type StaticFilesHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

function invalid(message: string): Error {
  return createError(StaticFilesErrorCode.INVALID_OPTION, message);
}

export function createStaticFiles(options: StaticFilesOptions): StaticFilesHandler {
  if (typeof options !== 'object' || options === null) throw invalid(`static files: options must be an object, got ${String(options)}`);
  if (typeof options.root !== 'string' || options.root === '') throw invalid(`static files: root must be a directory path, got ${JSON.stringify(options.root)}`);
  const index = options.index ?? 'index.html';
  if (typeof index !== 'string' || index === '' || index.includes('/') || index.includes(sep)) {
    throw invalid(`static files: index must be a plain file name, got ${JSON.stringify(options.index)}`);
  }
  let root: string;
  try {
    root = realpathSync(resolve(options.root));
  } catch {
    throw invalid(`static files: root ${JSON.stringify(options.root)} does not exist`);
  }
  if (!statSync(root).isDirectory()) throw invalid(`static files: root ${JSON.stringify(options.root)} is not a directory`);
  const rootPrefix = root.endsWith(sep) ? root : root + sep;

  /** The real path of the file a URL path names, or undefined when it names nothing we serve. */
  function locate(urlPath: string): string | undefined {
    let path: string;
    try {
      path = decodeURIComponent(urlPath);
    } catch {
      return undefined; // malformed percent-encoding
    }
    if (path.includes('\0') || !path.startsWith('/')) return undefined;
    if (path.endsWith('/')) path += index;
    try {
      // realpath resolves `..` and symbolic links, so the prefix check below is the whole guard.
      const real = realpathSync(join(root, path));
      if (!real.startsWith(rootPrefix)) return undefined;
      return statSync(real).isFile() ? real : undefined;
    } catch {
      return undefined;
    }
  }

  return (request, response) => {
    if (!SERVED_METHODS.has(request.method ?? '')) return false;
    const urlPath = (request.url ?? '/').split('?')[0]!.split('#')[0]!;
    const file = locate(urlPath);
    if (file === undefined) return false;
    const type = (CONTENT_TYPES as Record<string, string>)[extname(file).toLowerCase()] ?? OCTET_STREAM;
    const size = statSync(file).size;
    response.writeHead(200, {
      'content-type': type,
      'content-length': size,
      // A page under development must never come from a stale cache.
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (request.method === 'HEAD') {
      response.end();
      return true;
    }
    const stream = createReadStream(file);
    stream.once('error', () => response.destroy());
    stream.pipe(response);
    return true;
  };
}
