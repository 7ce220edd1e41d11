import { mkdir, mkdtemp, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Bundle } from './render.ts';

/**
 * Writes a bundle so that `outDir` either holds the whole bundle or is left as it was:
 * files go to a temporary sibling folder first, which is then renamed into place.
 * An existing non-empty folder is refused rather than mixed with old files.
 */
export async function writeBundle(bundle: Bundle, outDir: string): Promise<void> {
  const target = resolve(outDir);
  const existing = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing && existing.length > 0) {
    throw new Error(`--out ${outDir}: the folder is not empty; choose a new or empty folder`);
  }
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}-`));
  try {
    for (const [path, content] of Object.entries(bundle)) {
      const file = join(staging, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content, { mode: path.endsWith('check_service.py') ? 0o755 : 0o644 });
    }
    if (existing) await rmdir(target);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
