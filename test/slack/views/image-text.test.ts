// What the bot says of a revision's image, cause by cause: the digest that is built, and for
// each registry refusal what the partner (or approver) must do.
import type { Checkboxes, InputBlock, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { ImageResolution, UnresolvedImage } from '../../../src/domain/image-resolution.ts';
import { approveModal, readApproveForm } from '../../../src/slack/views/approve-modal.ts';
import {
  approvedImageLine,
  builtFromLine,
  imageField,
  partnerImageLine,
  unresolvedApprovalText,
} from '../../../src/slack/views/image-text.ts';
import { receivedMessage } from '../../../src/slack/views/messages.ts';
import { reviewMessage } from '../../../src/slack/views/review-message.ts';
import { sampleSpec } from '../../helpers/sample-spec.ts';
import { AT, submission } from './fixtures.ts';

const DIGEST = `sha256:${'0123456789ab'.repeat(5)}cdef`;
const RESOLVED: ImageResolution = {
  kind: 'resolved',
  digest: DIGEST,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  at: AT,
};
const ACCOUNT = 'playground-bot@pg-bot-1.iam.gserviceaccount.com';

function unresolved(code: UnresolvedImage['code'], extra: Partial<UnresolvedImage> = {}) {
  return {
    kind: 'unresolved',
    code,
    message: `the registry said ${code}`,
    at: AT,
    ...extra,
  } as const;
}

/** A revision of `image` with `resolution`. */
const revision = (image: string, resolution?: ImageResolution) => ({
  spec: sampleSpec({ image }),
  ...(resolution && { image: resolution }),
});

const GCR = 'eu.gcr.io/theplayground_repo/my_service:1.0.3';

describe('a resolved image', () => {
  it('shows the short digest in the Image field and the full reference that is built', () => {
    expect(imageField(revision(GCR, RESOLVED))).toBe(`\`${GCR}\`\n\`sha256:0123456789ab\``);
    const line = builtFromLine(revision(GCR, RESOLVED));
    expect(line).toContain(`\`eu.gcr.io/theplayground_repo/my_service@${DIGEST}\``);
    expect(line).toContain('not whatever it names later');
  });

  it('keeps a reference the partner pinned as written', () => {
    const pinned = `eu.gcr.io/theplayground_repo/my_service:1.0.3@${DIGEST}`;
    const line = builtFromLine(revision(pinned, RESOLVED));
    expect(line).toContain(`\`${pinned}\``);
    expect(line).toContain('pinned by the partner');
  });

  it('tells the partner the digest that is reviewed and built', () => {
    expect(partnerImageLine(revision(GCR, RESOLVED))).toBe(
      `:pushpin: \`${GCR}\` is pinned at \`sha256:0123456789ab\`: that image is what is reviewed and built, even if the tag moves.`,
    );
    expect(approvedImageLine(revision(GCR, RESOLVED))).toBe(
      `:pushpin: Building \`eu.gcr.io/theplayground_repo/my_service@${DIGEST}\`.`,
    );
  });
});

describe('an unresolved image says what to do', () => {
  it('denied by a Google registry: grant the named account read access, or make it public', () => {
    const line = partnerImageLine(revision(GCR, unresolved('denied', { account: ACCOUNT })));
    expect(line).toContain(`the registry refused the bot access (asked as \`${ACCOUNT}\`)`);
    expect(line).toContain(
      `Grant ${ACCOUNT} read access (roles/artifactregistry.reader, or Storage Object Viewer for gcr.io) or make the image public`,
    );
    const artifact = 'europe-docker.pkg.dev/p/models/boats:2';
    expect(partnerImageLine(revision(artifact, unresolved('denied')))).toContain(
      "Grant the bot's service account read access",
    );
  });

  it('denied by Docker Hub: private or missing, make it public', () => {
    const line = partnerImageLine(revision('acme/model:1.0', unresolved('denied')));
    expect(line).toContain('Docker Hub says the repository is private or does not exist');
    expect(line).toContain('make it public');
    expect(line).not.toContain('roles/');
  });

  it('not found: push the tag or fix it', () => {
    expect(partnerImageLine(revision(GCR, unresolved('not_found')))).toContain(
      'the registry has no such tag or repository. Push the image with that tag, or fix the tag and resubmit.',
    );
  });

  it('unavailable: approval tries again, nothing is lost', () => {
    const line = partnerImageLine(revision(GCR, unresolved('unavailable')));
    expect(line).toContain('the registry did not answer');
    expect(line).toContain('approval will try again');
    expect(line).toContain('Your submission is stored all the same.');
  });

  it('shows approvers the registry answer and the way past it', () => {
    const line = builtFromLine(revision(GCR, unresolved('not_found')));
    expect(line).toContain('No digest: the registry has no such tag or repository');
    expect(line).toContain('`the registry said not_found`');
    expect(line).toContain('*Approve by tag*');
    expect(imageField(revision(GCR, unresolved('not_found')))).toBe(`\`${GCR}\`\n_digest unknown_`);
    // Once decided, approving is no longer the way past it.
    expect(builtFromLine(revision(GCR, unresolved('not_found')), false)).not.toContain('Approve');
  });

  it('refuses an approval with the reason, and approves by tag plainly', () => {
    const text = unresolvedApprovalText(GCR, unresolved('unavailable'));
    expect(text).toMatch(/^:lock: Not approved: the registry did not answer for `/);
    expect(text).toContain('To approve the tag as it is, tick "Approve by tag" and confirm.');
    expect(approvedImageLine(revision(GCR, unresolved('not_found')))).toBe(
      `:warning: Approved by tag: building \`${GCR}\` as the tag names it when the build pulls it (no digest: the registry has no such tag or repository).`,
    );
  });
});

describe('the messages that carry it', () => {
  it('the review message has the digest line under its fields; the partner DM its line', () => {
    const pinned = submission({ image: RESOLVED });
    const blocks = JSON.stringify(reviewMessage(pinned).blocks);
    expect(blocks).toContain(`eu.gcr.io/theplayground_repo/my_service@${DIGEST}`);
    expect(JSON.stringify(receivedMessage(pinned).blocks)).toContain('sha256:0123456789ab');
    const denied = submission({ image: unresolved('denied', { account: ACCOUNT }) });
    expect(JSON.stringify(receivedMessage(denied).blocks)).toContain(`Grant ${ACCOUNT}`);
  });
});

describe('Approve by tag in the Approve modal', () => {
  const modal = (image?: ImageResolution) =>
    approveModal({
      submission: submission(image ? { image } : {}),
      targetProjects: ['pg-prod'],
      metadata: { id: 'PG-0042' },
    }).blocks as KnownBlock[];
  const byTag = (blocks: KnownBlock[]) =>
    blocks.find((b) => b.type === 'input' && b.block_id === 'by_tag') as InputBlock | undefined;

  it('is offered only while there is no digest, behind a confirm dialog', () => {
    expect(byTag(modal(RESOLVED))).toBeUndefined();
    for (const image of [unresolved('unavailable'), undefined]) {
      const block = byTag(modal(image));
      expect(block?.optional).toBe(true);
      const element = block?.element as Checkboxes;
      expect(element.type).toBe('checkboxes');
      expect(element.options.map((o) => o.value)).toEqual(['by_tag']);
      expect(element.confirm?.title?.text).toBe('Approve by tag?');
      expect(element.confirm?.confirm?.text).toBe('Approve by tag');
    }
  });

  it('is read as byTag only when ticked', () => {
    const option = (value: string) => ({
      text: { type: 'plain_text' as const, text: value },
      value,
    });
    const state = (ticked: boolean) => ({
      project: { value: { type: 'static_select', selected_option: option('pg-prod') } },
      promote: { value: { type: 'radio_buttons', selected_option: option('yes') } },
      by_tag: { value: { type: 'checkboxes', selected_options: ticked ? [option('by_tag')] : [] } },
    });
    const options = { service: 'my-service', projects: ['pg-prod'] };
    expect(readApproveForm(state(true), options)).toEqual({
      ok: true,
      project: 'pg-prod',
      promote: true,
      byTag: true,
    });
    expect(readApproveForm(state(false), options)).toEqual({
      ok: true,
      project: 'pg-prod',
      promote: true,
    });
  });
});
