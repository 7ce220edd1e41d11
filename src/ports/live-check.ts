// What the pipeline asks of a deployed version before it says "is live" (adapter:
// src/gcp/live-check.ts): that its own URL answers health, describe and a process call.
import type { LiveCheck } from '../domain/results.ts';

export interface LiveCheckTarget {
  /** The version's own URL (`run.versionUrl`): the service URL is not routed by version. */
  url: string;
  /** The spec's tile settings, for the generated tile: 256 + 2 × padding px at this zoom. */
  padding: number;
  zoom: number;
}

export interface LiveCheckPort {
  /**
   * Calls the version and says what it found. Never rejects for what the version does
   * (no answer, an error status, a bad body): that is a failed probe in the result.
   */
  check(target: LiveCheckTarget): Promise<LiveCheck>;
}
