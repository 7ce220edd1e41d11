// Which version of a traffic split answers a request, as App Engine picks it
// (https://cloud.google.com/appengine/docs/flexible/splitting-traffic): by the client's IP
// address (the same client keeps its version), by the `GOOGAPPUID` cookie, or at random
// for each request. Every client of the local workspace is 127.0.0.1, so IP splitting
// sends all of them to one version, as it would send one office behind one address.
import { createHash } from 'node:crypto';

export interface ShardRequest {
  /** The client's address. */
  ip: string;
  /** The request's `Cookie` header, if any. */
  cookie?: string;
}

/**
 * Where the request falls in [0, 1): a hash of its address (IP, and UNSPECIFIED, which
 * App Engine treats as IP), of its GOOGAPPUID cookie (COOKIE; at random without one), or
 * at random (RANDOM).
 */
export function shardKey(
  shardBy: string,
  request: ShardRequest,
  random: () => number = Math.random,
): number {
  if (shardBy === 'RANDOM') return random();
  if (shardBy === 'COOKIE') {
    const cookie = /(?:^|;\s*)GOOGAPPUID=([^;]*)/.exec(request.cookie ?? '')?.[1];
    return cookie === undefined ? random() : unitHash(cookie);
  }
  return unitHash(request.ip);
}

/**
 * The version whose share holds `key`: shares laid end to end in version id order, so a
 * key always lands on the same version for the same split. Undefined for an empty split.
 */
export function versionAt(allocations: Record<string, number>, key: number): string | undefined {
  const shares = Object.entries(allocations)
    .filter(([, share]) => share > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  let end = 0;
  for (const [version, share] of shares) {
    end += share;
    if (key < end) return version;
  }
  return shares.at(-1)?.[0]; // rounding: the shares sum to 1 within 1e-6
}

/** A string hashed to [0, 1). */
function unitHash(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}
