// What submit and approve ask of the partner's image registry (adapter: src/gcp/registry.ts):
// the digest a tag names now, so that what the approver sees is what is built.
import type { DockerRef } from '../domain/submission-spec/docker-ref.ts';
import { ServiceError } from './service-error.ts';

/** The manifest a reference names. */
export interface ResolvedImage {
  /** `sha256:` and 64 hex digits: the digest of the manifest's exact bytes. */
  digest: string;
  /**
   * The manifest's media type: an OCI index or a Docker manifest list (several platforms),
   * or an OCI image manifest or a Docker image manifest (one).
   */
  mediaType: string;
}

/**
 * Why a reference could not be resolved, each with its own advice to the partner:
 * `not_found`: no such repository or tag (MANIFEST_UNKNOWN, NAME_UNKNOWN, 404);
 * `denied`: the registry refuses the bot (401/403 after authenticating: a private image, or
 * one the bot's account may not read; Docker Hub answers so for a repository that does not
 * exist too); `unavailable`: no answer in time, no connection, 429 or 5xx (worth trying
 * again); `invalid`: the answer is not a manifest the bot can use (unknown media type, a
 * digest that does not match the bytes, a malformed challenge).
 */
export type RegistryErrorCode = 'not_found' | 'denied' | 'unavailable' | 'invalid';

/** What RegistryPort rejects with; the message says what the registry answered. */
export class RegistryError extends ServiceError<RegistryErrorCode> {
  /**
   * For `denied` by one of Google's registries: the account the bot asked as (its service
   * account), which the partner can grant read access; undefined when it is not known.
   */
  readonly account: string | undefined;
  constructor(code: RegistryErrorCode, message: string, account?: string) {
    super(code, message);
    this.account = account;
  }
}

export interface RegistryPort {
  /**
   * The digest and media type of the manifest `ref` names (its digest when pinned, else its
   * tag, `latest` when it has neither). Rejects with a RegistryError.
   */
  resolve(ref: DockerRef): Promise<ResolvedImage>;
}
