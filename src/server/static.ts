/**
 * The page's files, served by the agent itself: no CDN, no internet, no build step. Files are
 * read once at start into memory (they are a few tens of KiB) and served with an ETag and
 * `Cache-Control: no-cache`, so a browser revalidates and an upgraded agent's page loads at once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LinesideError } from '../lib/errors.js';
import { packageRoot } from '../lib/paths.js';

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * The page's files ship as source in src/web (plain ES modules, never compiled), so they are found
 * from the package root whether the agent runs from source (tsx), from dist/, from an npm tarball
 * or from the tree deploy/install.sh installs.
 */
export function defaultWebDir(): string {
  const dir = path.join(packageRoot(), 'src', 'web');
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new LinesideError('SERVER_START', `the dashboard's files were not found in ${dir} (an incomplete install?)`, {
      dir,
    });
  }
  return dir;
}

export function loadStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new LinesideError('SERVER_START', `cannot read the dashboard's files in ${dir}`, { dir }, { cause: err });
  }
  for (const name of names) {
    const file = path.join(dir, name);
    const type = TYPES[path.extname(name)];
    if (type === undefined || !statSync(file).isFile()) continue;
    const body = readFileSync(file);
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    files.set(name, { body, type, etag });
  }
  if (!files.has('index.html')) throw new LinesideError('SERVER_START', `no index.html in ${dir}`, { dir });
  return files;
}

/**
 * Content-Security-Policy for the page: only its own scripts and styles, websocket back to the
 * agent, no framing (a TV page cannot be embedded and clicked through). `X-Content-Type-Options:
 * nosniff` is on every response (BASELINE_HEADERS in http-errors.ts, set by an app hook).
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  // The view token may be in the URL (?token=): never leak it in a Referer.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};
