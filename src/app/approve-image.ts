// At approval, the image is what the approver approves: the digest resolved at submit, or,
// when submit could not resolve it, one resolved now. Still unresolved, approval is refused
// with the registry's reason unless the approver chose, explicitly, to approve the tag.
import type { ImageResolution } from '../domain/image-resolution.ts';
import { type Actor, currentRevision, type Submission } from '../domain/submission.ts';
import type { AppDeps } from './context.ts';
import type { RefusedApproval } from './outcomes.ts';
import { resolveImage } from './resolve-image.ts';

type ImageAtApproval =
  /** What to store with the approval: a resolution made now (none when submit's stands). */
  { kind: 'approve'; image?: ImageResolution; detail?: string } | RefusedApproval;

export async function imageAtApproval(
  deps: Pick<AppDeps, 'store' | 'registry' | 'logger'>,
  {
    actor,
    submission,
    byTag,
    requestId,
  }: {
    actor: Actor;
    submission: Submission;
    /** The approver ticked "Approve by tag" (behind a confirm). */
    byTag: boolean;
    requestId: string;
  },
): Promise<ImageAtApproval> {
  const revision = currentRevision(submission);
  if (revision.image?.kind === 'resolved') return { kind: 'approve' };
  const image = await resolveImage(deps, revision.spec.image);
  if (image.kind === 'resolved') return { kind: 'approve', image };
  const reason = `${image.code}: ${image.message}`;
  if (byTag) return { kind: 'approve', image, detail: `approved by tag: ${reason}` };
  // Audited under a request id of its own: the same form may be sent again, by tag.
  const detail = `approve: image unresolved (${reason})`;
  deps.logger.warn({ submissionId: submission.id, userId: actor.userId, detail }, 'refused');
  await deps.store
    .recordRefusal(submission.id, { actor, requestId: `${requestId}:image`, detail })
    .catch((error: unknown) =>
      deps.logger.error({ err: error, submissionId: submission.id }, 'could not audit a refusal'),
    );
  return {
    kind: 'refused',
    action: 'approve',
    rule: {
      name: 'unresolved_image',
      id: submission.id,
      image: revision.spec.image,
      unresolved: image,
    },
  };
}
