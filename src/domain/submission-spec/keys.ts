// Unknown keys in a submission, reported with the key the partner most likely meant.
import { SECTION_FIELDS, type Section } from './catalogue.ts';
import { type Report, show } from './issues.ts';

/** Lowercase, no `_`/`-`/spaces: `zoom-level`, `Zoom Level` and `ZOOM_LEVEL` compare equal. */
function squash(key: string): string {
  return key.toLowerCase().replace(/[\s_-]+/g, '');
}

// The partner never picks the deploy project; catch the seed's name for it and its variants.
const PROJECT_KEYS = new Set(['projectname', 'project', 'projectid', 'googlecloudproject']);

/**
 * Reports every key of `mapping` that is not in `allowed`, each at its own path, with
 * the likely intended key when there is one (typos like `PADING`, case like `padding`).
 * `section` is undefined for the top level.
 */
export function checkKeys(
  mapping: Record<string, unknown>,
  allowed: readonly string[],
  section: Section | undefined,
  report: Report,
): void {
  for (const key of Object.keys(mapping)) {
    if (allowed.includes(key)) continue;
    report(unknownKeyMessage(key, allowed, section), key);
  }
}

function unknownKeyMessage(
  key: string,
  allowed: readonly string[],
  section: Section | undefined,
): string {
  const name = show(key);
  const list = `allowed: ${allowed.join(', ')}`;
  if (section === undefined && PROJECT_KEYS.has(squash(key))) {
    return `${name} is not yours to set: the Playground team chooses the project when they approve the deployment; remove it`;
  }
  const guess = closest(key, allowed);
  if (guess) return `${name} is not a field here; did you mean ${guess}? (${list})`;
  if (section === undefined) {
    for (const [parent, children] of Object.entries(SECTION_FIELDS)) {
      const child = closest(key, children);
      if (child) return `${name} belongs under ${parent}, e.g. \`${parent}: {${child}: ...}\``;
    }
  }
  return `${name} is not a field here (${list})`;
}

/** The allowed key a person most likely meant, if any is close enough. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  const wanted = squash(key);
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(wanted, squash(candidate));
    // One edit, or two for names of 8+ characters: `PADING` finds PADDING, `cpus` finds cpu.
    const limit = candidate.length >= 8 ? 2 : 1;
    if (distance <= limit && (!best || distance < best.distance))
      best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3; // further than any limit; skip the table
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
