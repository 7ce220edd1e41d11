// What submit and approve ask of the partner's image registry (adapter: src/gcp/registry.ts):
// the digest a tag names now, so that what the approver sees is what is built.
import type { RegistryErrorCode } from '../domain/image-resolution.ts';
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
 * What RegistryPort rejects with (the codes: src/domain/image-resolution.ts); the message
 * says what the registry answered. `denied` covers 401/403 after authenticating: a private
 * image, or one the bot's account may not read (Docker Hub answers so for a repository that
 * does not exist too); `unavailable`: no answer in time, no connection, 429 or 5xx.
 */
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
   * tag, `latest` when it has neither), within `timeoutMs` when given (else the adapter's
   * own deadline). Rejects with a RegistryError.
   */
  resolve(ref: DockerRef, options?: { timeoutMs?: number }): Promise<ResolvedImage>;
}
