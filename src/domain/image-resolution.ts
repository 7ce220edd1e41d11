// What the partner's image tag named when the bot asked its registry: the digest that is
// approved and built, or why the registry could not say. Stored on each revision.
import { parseDockerRef } from './submission-spec/docker-ref.ts';

/**
 * Why a reference could not be resolved (see RegistryPort): `not_found` no such repository
 * or tag; `denied` the registry refuses the bot; `unavailable` no answer in time (worth
 * trying again); `invalid` an answer the bot cannot build on.
 */
export const REGISTRY_ERROR_CODES = ['not_found', 'denied', 'unavailable', 'invalid'] as const;
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

export type ImageResolution =
  | { kind: 'resolved'; digest: string; mediaType: string; at: Date }
  | {
      kind: 'unresolved';
      code: RegistryErrorCode;
      /** What the registry answered, for people (and the audit trail). */
      message: string;
      /** For `denied` by one of Google's registries: the account the bot asked as. */
      account?: string;
      at: Date;
    };

export type UnresolvedImage = Extract<ImageResolution, { kind: 'unresolved' }>;

/** Google's registries: gcr.io and its regional hosts, Artifact Registry's `LOCATION-docker.pkg.dev`. */
export const GOOGLE_REGISTRY = /^(?:[a-z0-9-]+\.)?gcr\.io$|^[a-z0-9-]+-docker\.pkg\.dev$/;

/**
 * The reference the build pulls: `registry/repository@sha256:…` once resolved, so the image
 * built is the one the approver saw whatever the tag names later. A reference the partner
 * pinned is kept as written (the resolver checked its digest); unresolved (approved by
 * tag, or stored before digests were kept) it is the tag.
 */
export function buildReference(image: string, resolution: ImageResolution | undefined): string {
  const ref = parseDockerRef(image);
  if (typeof ref === 'string' || ref.digest !== undefined) return image;
  if (resolution?.kind !== 'resolved') return image;
  return `${ref.registry}/${ref.repository}@${resolution.digest}`;
}

/** `sha256:0123456789ab`: the first 12 hex digits, as `docker images` shows an id. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

/**
 * What the partner (or an approver) can do about an image the registry did not resolve,
 * said after what went wrong: one sentence per cause, naming the account to grant where
 * the registry is Google's.
 */
export function imageAdvice(image: string, unresolved: UnresolvedImage): string {
  const ref = parseDockerRef(image);
  const registry = typeof ref === 'string' ? '' : ref.registry;
  switch (unresolved.code) {
    case 'denied':
      if (GOOGLE_REGISTRY.test(registry)) {
        const who = unresolved.account ?? "the bot's service account";
        return `Grant ${who} read access (roles/artifactregistry.reader, or Storage Object Viewer for gcr.io) or make the image public, then resubmit or ask an approver to approve again.`;
      }
      if (registry === 'docker.io') {
        return 'Docker Hub says the repository is private or does not exist: make it public (or fix its name), then resubmit.';
      }
      return `${registry || 'The registry'} refuses the bot: make the image public, then resubmit.`;
    case 'not_found':
      return 'Push the image with that tag, or fix the tag and resubmit.';
    case 'unavailable':
      return 'Nothing is lost: approval will try again.';
    case 'invalid':
      return 'Check that the reference names a container image, then resubmit.';
  }
}
