// Which version of a split a request goes to: shares end to end, keys by address or cookie.
import { describe, expect, it } from 'vitest';
import { shardKey, versionAt } from '../../../src/local/app-engine/split.ts';

describe('versionAt', () => {
  it('lays the shares end to end in version id order', () => {
    const split = { v2: 0.25, v1: 0.75 };
    expect(versionAt(split, 0)).toBe('v1');
    expect(versionAt(split, 0.74)).toBe('v1');
    expect(versionAt(split, 0.75)).toBe('v2');
    expect(versionAt(split, 0.999)).toBe('v2');
  });
  it('gives the last version to a key beyond shares that sum to a little under 1, none for an empty split', () => {
    expect(versionAt({ a: 0.3333333, b: 0.6666666 }, 0.9999999)).toBe('b');
    expect(versionAt({}, 0.5)).toBeUndefined();
  });
});

describe('shardKey', () => {
  const random = () => 0.42;
  it('hashes the address for IP and UNSPECIFIED: one client, one key; another client, another', () => {
    const one = shardKey('IP', { ip: '127.0.0.1' }, random);
    expect(shardKey('UNSPECIFIED', { ip: '127.0.0.1' }, random)).toBe(one);
    expect(shardKey('IP', { ip: '10.0.0.7' }, random)).not.toBe(one);
    expect(one).toBeGreaterThanOrEqual(0);
    expect(one).toBeLessThan(1);
  });
  it('hashes GOOGAPPUID for COOKIE, at random without it; RANDOM is random', () => {
    const key = shardKey('COOKIE', { ip: 'x', cookie: 'a=1; GOOGAPPUID=42' }, random);
    expect(shardKey('COOKIE', { ip: 'y', cookie: 'GOOGAPPUID=42' }, random)).toBe(key);
    expect(key).not.toBe(0.42);
    expect(shardKey('COOKIE', { ip: 'x', cookie: 'a=1' }, random)).toBe(0.42);
    expect(shardKey('RANDOM', { ip: '127.0.0.1' }, random)).toBe(0.42);
  });
});
