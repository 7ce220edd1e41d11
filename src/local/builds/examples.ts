// The example predictors that local builds run for real: `docker.io/examples/NAME:TAG` is
// the folder `EXAMPLES/NAME`, the partner's package as the partner image would hold it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDockerRef } from '../../domain/submission-spec/index.ts';

/** The repository's `examples/` folder. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** The example folder a partner image names, when it names one that exists. */
export function exampleFor(examplesDir: string, baseImage: string | undefined): string | undefined {
  const parsed = baseImage === undefined ? undefined : parseDockerRef(baseImage);
  if (typeof parsed !== 'object' || parsed.registry !== 'docker.io') return undefined;
  const name = /^examples\/([a-z0-9][a-z0-9._-]*)$/.exec(parsed.repository)?.[1];
  if (!name) return undefined;
  const dir = join(examplesDir, name);
  return existsSync(dir) && statSync(dir).isDirectory() ? dir : undefined;
}

/** The example folders' names: `docker.io/examples/NAME` for each. */
export function exampleNames(examplesDir: string): string[] {
  try {
    return readdirSync(examplesDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** ` (here: docker.io/examples/A, …)`, or '' when there are none. */
export function exampleList(examplesDir: string): string {
  const names = exampleNames(examplesDir).map((name) => `docker.io/examples/${name}`);
  return names.length > 0 ? ` (here: ${names.join(', ')})` : '';
}
