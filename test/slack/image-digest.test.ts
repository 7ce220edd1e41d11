// Approval bound to the image's digest, through the real bot (Bolt over HTTP, signed
// requests, the Firestore emulator) and the registry stand-in at REGISTRY_API_URL: the
// digest on the review message and the partner's confirmation, and FROM image@sha256 in the
// build request Cloud Build's stand-in received; a registry that is down, a private image
// and an unknown tag each said plainly with the submission stored; approval resolving again,
// refusing when it still cannot, and approving by tag when told to (audited).
import { afterEach, describe, expect, it } from 'vitest';
import type { GoogleIdentity } from '../../src/gcp/registry.ts';
import { readBuild } from '../../src/local/builds/read-build.ts';
import { reaches } from '../pipeline/flow-helpers.ts';
import { VALID_FORM } from './fill.ts';
import {
  APPROVER,
  type Bot,
  eventually,
  FAST_TRACKING,
  FORM_IMAGE,
  OUTSIDER_TOKEN,
  PARTNER,
  PRIVATE_REPOSITORY,
  REVIEW_CHANNEL,
  startBot,
} from './harness.ts';

const ACCOUNT = 'playground-bot@pg-bot-1.iam.gserviceaccount.com';
/** The bot as a Google account that the stand-in knows but that may not read the private image. */
const OUTSIDER: GoogleIdentity = {
  accessToken: async () => OUTSIDER_TOKEN,
  account: async () => ACCOUNT,
};

let bot: Bot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

async function started(): Promise<Bot> {
  bot = await startBot({}, { ...FAST_TRACKING, registryIdentity: OUTSIDER });
  return bot;
}

/** The partner submits `image`; resolves once the review message and the DM are in Slack. */
async function submit(b: Bot, image: string) {
  await b.command(PARTNER, 'submit');
  // Not the answer: a cold emulator may make it "slow", and the submission is stored anyway.
  await b.submit(PARTNER, { ...VALID_FORM, image });
  return eventually(async () => {
    const [root] = b.api.messages(REVIEW_CHANNEL);
    const dm = b.api.callsTo('chat.postMessage').find((c) => c.args.channel === PARTNER);
    const stored = await b.store.get('PG-0001');
    if (!root || !dm || !stored?.thread) throw new Error('not posted yet');
    return { root: JSON.stringify(root.blocks), dm: JSON.stringify(dm.args), stored };
  }, 30_000);
}

/** Opens the Approve modal as the approver and submits it with `typed` values. */
async function approve(b: Bot, typed: Record<string, string> = {}) {
  await b.click(APPROVER, 'approve', 'PG-0001');
  const modal = await b.modal(APPROVER);
  const answer = await b.submit(APPROVER, { project: 'pg-dev-1', ...typed }, modal);
  return { modal, answer };
}

/** The wrap step's base image and the bundle's Dockerfile, of the first build created. */
async function firstBuild(b: Bot) {
  const request = await eventually(() => {
    const [build] = b.cloudBuild.createdBuilds();
    if (!build) throw new Error('no build yet');
    return build;
  }, 20_000);
  const info = readBuild(request);
  const dockerfile = 'error' in info.bundle ? '' : (info.bundle.Dockerfile ?? '');
  return { base: info.baseImage, arg: /^ARG base_id=(.*)$/m.exec(dockerfile)?.[1] };
}

const TAGGED = VALID_FORM.image as string;
const BY_DIGEST = (digest: string) => `eu.gcr.io/theplayground_repo/my_service@${digest}`;

describe('the image digest', () => {
  it('is shown to the approver and the partner, and is what the build pulls', async () => {
    const b = await started();
    const digest = b.registry.digestOf(FORM_IMAGE.repository, FORM_IMAGE.tag) ?? '';
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const { root, dm, stored } = await submit(b, TAGGED);
    expect(stored.revisions[0]?.image).toMatchObject({ kind: 'resolved', digest });
    const short = digest.slice(0, 19);
    expect(root).toContain(short); // the Image field
    expect(root).toContain(BY_DIGEST(digest)); // the line saying what is built
    expect(dm).toContain(short);

    const { modal, answer } = await approve(b);
    expect(answer.text).toBe('');
    expect(modal.blocks.some((block) => block.block_id === 'by_tag')).toBe(false);
    expect(await firstBuild(b)).toEqual({ base: BY_DIGEST(digest), arg: BY_DIGEST(digest) });
  });

  it('moving the tag after submit changes nothing: the approved digest is built', async () => {
    const b = await started();
    const { stored } = await submit(b, TAGGED);
    const first = stored.revisions[0]?.image;
    if (first?.kind !== 'resolved') throw new Error(`not resolved: ${JSON.stringify(first)}`);
    b.registry.push({ ...FORM_IMAGE, kind: 'oci' }); // the tag now names another manifest
    expect(b.registry.digestOf(FORM_IMAGE.repository, FORM_IMAGE.tag)).not.toBe(first.digest);
    await approve(b);
    expect((await firstBuild(b)).base).toBe(BY_DIGEST(first.digest));
  });
});

describe('an image the registry does not resolve at submit', () => {
  it('unreachable: stored, said plainly; approval resolves it once the registry answers', async () => {
    const b = await started();
    b.registry.unavailable(1_000);
    const { root, dm, stored } = await submit(b, TAGGED);
    expect(stored.status).toBe('submitted');
    expect(stored.revisions[0]?.image).toMatchObject({ kind: 'unresolved', code: 'unavailable' });
    for (const text of [root, dm]) {
      expect(text).toContain('the registry did not answer');
      expect(text).toContain('approval will try again');
    }

    b.registry.reset(); // answering again
    const { answer } = await approve(b);
    expect(answer.text).toBe('');
    const digest = b.registry.digestOf(FORM_IMAGE.repository, FORM_IMAGE.tag) ?? '';
    const approved = await b.store.get('PG-0001');
    expect(approved?.status).not.toBe('submitted');
    expect(approved?.revisions[0]?.image).toMatchObject({ kind: 'resolved', digest });
    expect((await firstBuild(b)).base).toBe(BY_DIGEST(digest));
  });

  it('private: denied, naming the account to grant read access', async () => {
    const b = await started();
    const { root, dm, stored } = await submit(b, `eu.gcr.io/${PRIVATE_REPOSITORY}:1.0`);
    expect(stored.status).toBe('submitted');
    expect(stored.revisions[0]?.image).toMatchObject({
      kind: 'unresolved',
      code: 'denied',
      account: ACCOUNT,
    });
    for (const text of [root, dm]) {
      expect(text).toContain(`Grant ${ACCOUNT} read access`);
      expect(text).toContain('roles/artifactregistry.reader');
      expect(text).toContain('make the image public');
    }
  });

  it('unknown tag: refused at approval with the reason and audited, then approved by tag', async () => {
    const b = await started();
    const unknown = 'eu.gcr.io/theplayground_repo/my_service:9.9.9';
    const { root, dm, stored } = await submit(b, unknown);
    expect(stored.revisions[0]?.image).toMatchObject({ kind: 'unresolved', code: 'not_found' });
    for (const text of [root, dm]) expect(text).toContain('no such tag or repository');

    // Still unknown at approval: refused, the form says why and how to go past it.
    const { modal, answer } = await approve(b);
    const refusal = answer.body as { errors: Record<string, string> };
    expect(refusal.errors.project).toContain('no such tag or repository');
    expect(refusal.errors.project).toContain('Approve by tag');
    expect((await b.store.get('PG-0001'))?.status).toBe('submitted');
    const byTag = modal.blocks.find((block) => block.block_id === 'by_tag')?.element as {
      type: string;
      confirm?: { title: { text: string } };
    };
    expect(byTag.type).toBe('checkboxes');
    expect(byTag.confirm?.title.text).toBe('Approve by tag?');

    // The same form, "Approve by tag" ticked (Slack shows the confirm before the tick holds).
    const ticked = await b.submit(APPROVER, { project: 'pg-dev-1', by_tag: 'by_tag' }, modal);
    expect(ticked.text).toBe('');
    await reaches(b, 'PG-0001', 'building');
    expect((await firstBuild(b)).base).toBe(unknown);

    const audit = await b.store.audit('PG-0001');
    expect(audit.find((e) => e.action === 'refused')?.detail).toMatch(
      /^approve: image unresolved \(not_found: /,
    );
    expect(audit.find((e) => e.action === 'approve')?.detail).toMatch(
      /^approved by tag: not_found: /,
    );
    const reply = await eventually(() => {
      const found = b.api
        .messages(REVIEW_CHANNEL)[0]
        ?.replies.find((r) => r.text?.startsWith(':white_check_mark: Approved'));
      if (!found) throw new Error('no approval reply yet');
      return found.text ?? '';
    });
    expect(reply).toContain(`Approved by tag: building \`${unknown}\``);
  });
});
