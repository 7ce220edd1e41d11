// A Cloud Build request read the way its steps would read it: the partner image, the
// wrapped image, the bundle's files, the service id and the check's padding and zoom.
import { gunzipSync } from 'node:zlib';
import { load } from 'js-yaml';
import { archiveFromEnv, BUNDLE_PARTS_ENV } from '../../gcp/build-request.ts';
import { digestOf } from '../cloud-build/builds.ts';
import type { JsonObject } from '../cloud-build/types.ts';

/** What a build request says. */
export interface BuildInfo {
  stepIds: string[];
  /** The partner image: PG_BASE_IMAGE of the `wrap` step. */
  baseImage?: string;
  /** The wrapped image to push. */
  image?: string;
  /** The bundle's files, or why they cannot be read. */
  bundle: Record<string, string> | { error: string };
  /** The app.yaml's service id ('' when unknown). */
  service: string;
  /** PG_PADDING / PG_ZOOM of the `test` step. */
  padding?: string;
  zoom?: string;
  /** One key per submission revision (the `<id>-r<revision>` tag), for "first attempt only". */
  attemptKey: string;
}

/** Cloud Build reads `$$` as a literal `$` (the request escapes every dollar). */
const literalDollars = (text: string) => text.replaceAll('$$', () => '$');

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function envOf(step: JsonObject | undefined, name: string): string | undefined {
  const entry = strings(step?.env).find((e) => e.startsWith(`${name}=`));
  return entry === undefined ? undefined : literalDollars(entry.slice(name.length + 1));
}

export function readBuild(request: JsonObject): BuildInfo {
  const steps = (Array.isArray(request.steps) ? request.steps : []) as JsonObject[];
  const step = (id: string) => steps.find((s) => s.id === id);
  const baseImage = envOf(step('wrap'), 'PG_BASE_IMAGE');
  const archive = archiveFromEnv(strings(step('bundle')?.env));
  let bundle: BuildInfo['bundle'];
  try {
    bundle =
      archive === undefined
        ? { error: `the bundle step has no ${BUNDLE_PARTS_ENV} or misses a part` }
        : untar(gunzipSync(Buffer.from(archive, 'base64')));
  } catch (error) {
    bundle = { error: `the bundle cannot be unpacked: ${(error as Error).message}` };
  }
  const tags = strings(request.tags);
  const image = strings(request.images).map(literalDollars)[0];
  const padding = envOf(step('test'), 'PG_PADDING');
  const zoom = envOf(step('test'), 'PG_ZOOM');
  return {
    stepIds: steps.map((s, i) => (typeof s.id === 'string' ? literalDollars(s.id) : `step-${i}`)),
    ...(baseImage ? { baseImage } : {}),
    ...(image ? { image } : {}),
    bundle,
    service: 'error' in bundle ? '' : serviceOf(bundle['app/app.yaml']),
    ...(padding === undefined ? {} : { padding }),
    ...(zoom === undefined ? {} : { zoom }),
    attemptKey: tags[2] ?? image ?? JSON.stringify(tags),
  };
}

/**
 * The submission revision (`PG-0001 r2`) whose build pushed `image` (`…@sha256:…`), read
 * from the build requests' tags (`pg-0001`, `pg-0001-r2`: see buildTags). Tags are lower
 * case; the bot's ids are upper case (PG-0001).
 */
export function submissionOf(requests: JsonObject[], image: string): string | undefined {
  const digest = image.slice(image.indexOf('@') + 1);
  const request = requests.find((r) =>
    strings(r.images).some((name) => digestOf(literalDollars(name)) === digest),
  );
  const [, id, revisionTag] = strings(request?.tags);
  const revision = id && revisionTag?.startsWith(`${id}-r`) ? revisionTag.slice(id.length + 2) : '';
  return id ? `${id.toUpperCase()}${revision ? ` r${revision}` : ''}` : undefined;
}

function serviceOf(appYaml: string | undefined): string {
  try {
    const parsed = load(appYaml ?? '') as { service?: unknown } | undefined;
    return typeof parsed?.service === 'string' ? parsed.service : '';
  } catch {
    return '';
  }
}

/**
 * The regular files of a ustar archive (what build-request.ts `tar()` writes), as
 * path -> UTF-8 text. Directories are implied; links and other entries are refused.
 */
export function untar(archive: Buffer): Record<string, string> {
  const files: Record<string, string> = {};
  let offset = 0;
  const text = (start: number, length: number) =>
    archive.toString('utf8', start, start + length).replace(/\0.*$/s, '');
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break; // end of archive
    const prefix = text(offset + 345, 155);
    const name = text(offset, 100);
    const path = prefix ? `${prefix}/${name}` : name;
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    if (!Number.isSafeInteger(size) || size < 0 || offset + 512 + size > archive.length) {
      throw new Error(`corrupt tar entry ${JSON.stringify(path)}`);
    }
    if (type === '0' || type === '\0') {
      const parts = path.split('/');
      if (path.startsWith('/') || parts.some((part) => part === '..' || part === '')) {
        throw new Error(`tar entry ${JSON.stringify(path)} is not a plain relative path`);
      }
      files[path] = archive.toString('utf8', offset + 512, offset + 512 + size);
    } else if (type !== '5') {
      throw new Error(`tar entry ${JSON.stringify(path)} is not a file or folder (type ${type})`);
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
