// Serving the dashboard's pages: `/` → index.html, `/assets/*` files with their content type, nothing outside the folder.
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a URL path names inside `assetsDir`, or undefined. Decoded once; a NUL, a backslash or a
 * result outside the folder (`..`, encoded or not) is refused rather than normalised away.
 */
export function assetPath(assetsDir: string, urlPath: string): string | undefined {
  if (urlPath === '/' || urlPath === '/index.html') return resolve(assetsDir, 'index.html');
  if (!urlPath.startsWith('/assets/')) return undefined;
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath.slice('/assets/'.length));
  } catch {
    return undefined;
  }
  if (relative === '' || relative.includes('\0') || relative.includes('\\')) return undefined;
  const root = resolve(assetsDir);
  const full = resolve(root, relative);
  return full.startsWith(root + sep) ? full : undefined;
}

export type AssetResult =
  | { readonly found: true; readonly body: Buffer; readonly contentType: string }
  | { readonly found: false };

export async function readAsset(assetsDir: string, urlPath: string): Promise<AssetResult> {
  const path = assetPath(assetsDir, urlPath);
  if (path === undefined) return { found: false };
  try {
    if (!(await stat(path)).isFile()) return { found: false };
    return { found: true, body: await readFile(path), contentType: contentTypeOf(path) };
  } catch {
    return { found: false };
  }
}
