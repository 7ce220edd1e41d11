// The spec's image asked of its registry, at submit and again at approval: the digest, or
// why the registry could not say. Never throws: a registry that is down, slow or refusing
// must not cost the partner their submission.
import type { ImageResolution } from '../domain/image-resolution.ts';
import { parseDockerRef } from '../domain/submission-spec/index.ts';
import type { Logger } from '../log.ts';
import { RegistryError, type RegistryPort } from '../ports/registry.ts';

/**
 * How long a resolve may take: at submit it runs after the answer, but the review post
 * waits for it; at approval it runs before the answer Slack waits 3 s for, with a Firestore
 * write after it. A registry slower than this is `unavailable`, tried again at approval.
 */
const RESOLVE_DEADLINE_MS = 1_500;

export async function resolveImage(
  deps: { registry: RegistryPort; logger: Logger },
  image: string,
): Promise<ImageResolution> {
  const at = new Date();
  const ref = parseDockerRef(image);
  if (typeof ref === 'string') {
    // The spec was checked before this; a reference it let through is still not asked.
    return { kind: 'unresolved', code: 'invalid', message: `${image}: ${ref}`, at };
  }
  try {
    const { digest, mediaType } = await deps.registry.resolve(ref, {
      timeoutMs: RESOLVE_DEADLINE_MS,
    });
    return { kind: 'resolved', digest, mediaType, at };
  } catch (error) {
    if (!(error instanceof RegistryError)) {
      deps.logger.error({ err: error, image }, 'resolving the image failed unexpectedly');
      return { kind: 'unresolved', code: 'unavailable', message: String(error), at };
    }
    deps.logger.info({ image, code: error.code, reason: error.message }, 'image not resolved');
    return {
      kind: 'unresolved',
      code: error.code,
      message: error.message,
      ...(error.account !== undefined ? { account: error.account } : {}),
      at,
    };
  }
}
