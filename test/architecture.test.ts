/**
 * The layers point one way. Each folder of src/ may import only the folders listed for it
 * (the files at the root of src/, the wiring and the entry points, import what they wire);
 * the list itself must have no cycle. Read from the import lines of every source file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Which folders each folder may import; the README's Architecture section tells why. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  domain: [],
  lib: [],
  bundle: ['domain'],
  ports: ['domain', 'bundle'],
  app: ['domain', 'ports', 'lib', 'log'],
  store: ['domain', 'ports', 'lib'],
  pipeline: ['domain', 'ports', 'bundle', 'lib', 'log'],
  gcp: ['domain', 'ports', 'bundle', 'lib'],
  slack: ['app', 'ports', 'domain', 'lib', 'log', 'config'],
  // The local workspace starts the real bot beside its stand-ins; it finds executables the
  // way npm start's set-up does (bootstrap/, plain JS outside src/).
  local: ['bot', 'bundle', 'config', 'domain', 'gcp', 'lib', 'log', 'ports', 'bootstrap'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js)$/.test(entry.name) ? [full] : [];
  });
}

/** `domain` for src/domain/…, `bot` for src/bot.ts, `bootstrap` for ../bootstrap/…. */
function unitOf(file: string): string {
  const relative = path.relative(SRC, file);
  const inside = !relative.startsWith('..');
  const [first = ''] = (inside ? relative : path.relative(path.dirname(SRC), file)).split(path.sep);
  return inside ? first.replace(/\.(ts|js)$/, '') : first;
}

function importEdges(): { from: string; to: string; file: string }[] {
  return sourceFiles(SRC).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)];
    return specifiers
      .map((m) => ({
        from: unitOf(file),
        to: unitOf(path.resolve(path.dirname(file), m[1] ?? '')),
        file: path.relative(SRC, file),
      }))
      .filter((edge) => edge.from !== edge.to);
  });
}

describe('architecture', () => {
  it('each folder imports only the folders it may', () => {
    const edges = importEdges();
    expect(edges.length).toBeGreaterThan(50);
    const offending = edges
      .filter((e) => e.from in MAY_IMPORT && !MAY_IMPORT[e.from]?.includes(e.to))
      .map((e) => `${e.file} imports ${e.to}`);
    expect(offending).toEqual([]);
  });

  it('every folder of src/ has its rule', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.sort()).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  it('the rules have no cycle', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const cycles: string[] = [];
    const visit = (unit: string, trail: string[]) => {
      if (done.has(unit)) return;
      if (visiting.has(unit)) {
        cycles.push([...trail, unit].join(' -> '));
        return;
      }
      visiting.add(unit);
      for (const next of MAY_IMPORT[unit] ?? []) visit(next, [...trail, unit]);
      visiting.delete(unit);
      done.add(unit);
    };
    for (const unit of Object.keys(MAY_IMPORT)) visit(unit, []);
    expect(cycles).toEqual([]);
  });
});
