import { purposeOf, withPurpose } from './firestore-ops.ts';
import type { CallStats } from './protocol.ts';

/**
 * Counts calls to (and time in) the named async methods of `target` by wrapping them on
 * the instance itself, so every holder of the reference (the tracker, the Slack app) is
 * counted. Firestore has no request log of its own to read, unlike the stand-ins. Each
 * call runs under its purpose, for the document counts of firestore-ops.ts.
 */
export function countCalls<T extends object>(target: T, methods: readonly (keyof T & string)[]) {
  let stats: Record<string, CallStats> = {};
  for (const name of methods) {
    const original = target[name];
    if (typeof original !== 'function') throw new Error(`${name} is not a method`);
    const wrapped = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        return await withPurpose(purposeOf(name), () => original.apply(target, args));
      } finally {
        const entry = stats[name] ?? { calls: 0, ms: 0 };
        stats[name] = { calls: entry.calls + 1, ms: entry.ms + performance.now() - started };
      }
    };
    Object.defineProperty(target, name, { value: wrapped, configurable: true, writable: true });
  }
  return {
    /** The counts since the last reset. */
    take(): Record<string, CallStats> {
      const taken = stats;
      stats = {};
      return taken;
    },
  };
}
