// The page's own files (index.html, its styles and its ES modules) from ./static/.
import { readdir, readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

const extension = (file: string): string => file.split('.').pop() ?? '';

/** Answers a GET of `path` with its file; false when the path names none. */
export type StaticFiles = (path: string, res: ServerResponse) => Promise<boolean>;

/**
 * URL path -> file name of what the page may load: index.html at `/`, and each file of the
 * static folder by its name. Listed once at start, so a request can only ever name one of
 * these files, never a path of its own.
 */
export async function staticFiles(): Promise<StaticFiles> {
  const dir = new URL('./static/', import.meta.url);
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && Object.hasOwn(TYPES, extension(entry.name)))
    .map((entry): [string, string] => [`/${entry.name}`, entry.name]);
  const served = new Map([['/', 'index.html'], ...files]);
  return async (path, res) => {
    const file = served.get(path);
    if (file === undefined) return false;
    const content = await readFile(new URL(file, dir));
    res.writeHead(200, {
      'content-type': TYPES[extension(file)] as string,
      'cache-control': 'no-store',
    });
    res.end(content);
    return true;
  };
}
