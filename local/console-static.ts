/**
 * The console's static files on the local lake: `GET /console` (and `/console/`) is its page, `/console/assets/*`
 * its scripts and styles, from the build of the current sources (local/console-build.ts: built when missing or
 * stale, at the lake's start and again when the page is asked for after an edit). No key is needed for these files;
 * every call the page makes to the lake's data goes through the authenticated API. Nothing but the build's own
 * files is served: names are matched against the build's manifest, never joined into a path from the request.
 */
import { promises as fs } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { buildConsole, type ConsoleBuild } from './console-build';
import { acceptsCoding } from './response-compression';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The page's policy: its own scripts only; inline styles (CodeMirror and uPlot set element styles). */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data: blob:; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

let current: Promise<ConsoleBuild> | undefined;
let currentAt = 0;
/** How long a build is used before the sources are hashed again (an edit shows at the next page load after it). */
const RECHECK_MS = 1000;

/** The build of the current sources (a build in progress is shared; a failed one is tried again next time). */
export function consoleBuild(recheck = false): Promise<ConsoleBuild> {
  if (!current || (recheck && performance.now() - currentAt > RECHECK_MS)) {
    currentAt = performance.now();
    const next = buildConsole();
    next.catch(() => {
      if (current === next) current = undefined;
    });
    current = next;
  }
  return current;
}

/** Starts building the console in the background (the lake's start), so that the first page load is quick. */
export function prepareConsole(onError: (err: Error) => void): void {
  consoleBuild().catch(onError);
}

/** Whether a request is for the console's files. */
export function isConsolePath(pathname: string): boolean {
  return pathname === '/console' || pathname.startsWith('/console/');
}

function plain(
  res: http.ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): number {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, ...headers });
  res.end(`${text}\n`);
  return status;
}

/** Answers a request for the console's files; returns the status it answered. */
export async function serveConsole(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<number> {
  req.resume();
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD')
    return plain(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
  const rel = url.pathname.replace(/^\/console\/?/, '');
  const page = rel === '' || rel === 'index.html';
  let build: ConsoleBuild;
  try {
    build = await consoleBuild(page);
  } catch (e) {
    return plain(res, 500, `the console could not be built: ${(e as Error).message}`);
  }
  const name = page ? 'index.html' : rel;
  if (!build.files.some((f) => f.name === name)) return plain(res, 404, `no such console file: ${rel}`);
  // Its q value read as API Gateway reads it for the API's answers: gzip;q=0 refuses gzip.
  const gzip = acceptsCoding(req.headers['accept-encoding'], 'gzip');
  const body = await fs.readFile(path.join(build.dir, gzip ? `${name}.gz` : name));
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream',
    'content-length': String(body.length),
    // Assets are named by their content: cached for good; the page is asked again every time.
    'cache-control': page ? 'no-cache' : 'public, max-age=31536000, immutable',
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    ...SECURITY_HEADERS,
  });
  res.end(method === 'HEAD' ? undefined : body);
  return 200;
}
