// What the bot says of a revision's image: the digest that is reviewed and built, or why the
// registry could not say and what to do about it. One wording for the review message, the
// partner's confirmation, the Approve modal and the refusal at approval.
import {
  buildReference,
  type ImageResolution,
  imageAdvice,
  shortDigest,
  type UnresolvedImage,
} from '../../domain/image-resolution.ts';
import type { Revision } from '../../domain/submission.ts';
import { code, safe, slackDate } from './mrkdwn.ts';

/** What went wrong, in a few plain words (the registry's own answer follows it). */
const WHAT: Record<UnresolvedImage['code'], string> = {
  denied: 'the registry refused the bot access',
  not_found: 'the registry has no such tag or repository',
  unavailable: 'the registry did not answer',
  invalid: 'the registry answered with something that is not an image',
};

/** "the registry refused the bot access (asked as bot@…)". */
export function unresolvedReason(unresolved: UnresolvedImage): string {
  const as = unresolved.account ? ` (asked as ${code(unresolved.account, 200)})` : '';
  return `${WHAT[unresolved.code]}${as}`;
}

/** The review message's Image field: the reference as given and, once known, its short digest. */
export function imageField(revision: Pick<Revision, 'spec' | 'image'>): string {
  const { image } = revision;
  const digest = image?.kind === 'resolved' ? code(shortDigest(image.digest)) : '_digest unknown_';
  return `${code(revision.spec.image, 600)}\n${digest}`;
}

/**
 * The line under the review message's fields: what the build pulls (the full digest), or
 * why there is no digest, the registry's answer, and (while `waiting` for review) what
 * approving does then.
 */
export function builtFromLine(revision: Pick<Revision, 'spec' | 'image'>, waiting = true): string {
  const { image } = revision;
  const tag = revision.spec.image;
  if (!image) return `:label: Built from the tag ${code(tag, 600)}: no digest was recorded.`;
  if (image.kind === 'resolved') {
    const pulled = buildReference(tag, image);
    const why =
      pulled === tag
        ? 'pinned by the partner; the registry confirmed the digest'
        : `the digest the tag named when checked, ${slackDate(image.at)}; not whatever it names later`;
    return `:pushpin: Built from ${code(pulled, 600)} (${why}).`;
  }
  const lines = [
    `:warning: No digest: ${unresolvedReason(image)} — ${code(image.message, 400)}.`,
    safe(imageAdvice(tag, image), 400),
  ];
  if (waiting) {
    lines.push(
      'Approving asks the registry again; to approve the tag as it is, tick *Approve by tag* in the Approve form.',
    );
  }
  return lines.join('\n');
}

/** The partner's confirmation: the digest that will be built, or what to do about the image. */
export function partnerImageLine(revision: Pick<Revision, 'spec' | 'image'>): string | undefined {
  const { image } = revision;
  const tag = code(revision.spec.image, 600);
  if (!image) return undefined;
  if (image.kind === 'resolved') {
    return `:pushpin: ${tag} is pinned at ${code(shortDigest(image.digest))}: that image is what is reviewed and built, even if the tag moves.`;
  }
  return `:warning: The bot could not check ${tag}: ${unresolvedReason(image)}. ${safe(imageAdvice(revision.spec.image, image), 400)} Your submission is stored all the same.`;
}

/** Why an approval is refused while the image is unresolved, and the way past it. */
export function unresolvedApprovalText(image: string, unresolved: UnresolvedImage): string {
  return `:lock: Not approved: ${unresolvedReason(unresolved)} for ${code(image, 300)} (${safe(unresolved.message, 300)}), so there is no digest to build. ${safe(imageAdvice(image, unresolved), 400)} To approve the tag as it is, tick "Approve by tag" and confirm.`;
}

/** The approval's thread reply: what the build pulls, and plainly when it is the tag. */
export function approvedImageLine(revision: Pick<Revision, 'spec' | 'image'>): string {
  const { image } = revision;
  const pulled = code(buildReference(revision.spec.image, image), 600);
  if (image?.kind === 'resolved') return `:pushpin: Building ${pulled}.`;
  if (!image) return `:label: Building ${pulled}: no digest was recorded for this revision.`;
  return `:warning: Approved by tag: building ${pulled} as the tag names it when the build pulls it (no digest: ${unresolvedReason(image)}).`;
}

/** Whether the approver may have to approve by tag: submit left no digest. */
export function needsByTag(image: ImageResolution | undefined): boolean {
  return image?.kind !== 'resolved';
}
