// The approve modal: where to deploy (target project), an optional App Engine version
// id, whether the new version takes the service's traffic, and, while the image has no
// digest, whether to approve its tag.
import type { ViewStateValue } from '@slack/bolt';
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { revisionOf, type Submission } from '../../domain/submission.ts';
import { checkVersionId } from '../../domain/submission-spec/index.ts';
import { defaultVersionId } from '../../domain/version-id.ts';
import {
  type DecisionMetadata,
  decisionMetadata,
  parseDecisionMetadata,
} from './decision-metadata.ts';
import { APPROVE_BLOCK_ID, CALLBACK_ID, VALUE_ACTION_ID } from './ids.ts';
import { builtFromLine, needsByTag } from './image-text.ts';
import { overLongInputs, type TextLimit } from './input-limits.ts';
import { context, fromMetadata, LIMITS, plain, section, toMetadata } from './kit.ts';
import { capitalize, code, mention, truncate } from './mrkdwn.ts';
import { warningsContext } from './review-message.ts';

/** Where the approval is about and what the modal was opened on. */
export type ApproveMetadata = DecisionMetadata;

const YES = 'yes';
const NO = 'no';
const BY_TAG = 'by_tag';

/** An App Engine version id is at most 63 characters; the input holds no more. */
const VERSION_MAX = 63;

/** The version box's max_length, which its reader holds to as well. */
const APPROVE_LIMITS: Readonly<Record<string, TextLimit>> = {
  [APPROVE_BLOCK_ID.version]: { label: 'Version id', characters: VERSION_MAX },
};

/**
 * Promote defaults to Yes: approving means "put this model on the Playground", and a
 * version without traffic is not what the partner asked for (it is also what
 * `gcloud app deploy` does). No is there for a careful rollout of a new revision of a
 * service already live: the version is deployed and reachable at its own URL, and the
 * current one keeps serving.
 */
export const PROMOTE_DEFAULT = true;

export function approveModal(options: {
  submission: Submission;
  targetProjects: string[];
  metadata: { id: string; channel?: string; ts?: string };
}): ModalView {
  const { submission, metadata } = options;
  const projects = options.targetProjects.slice(0, LIMITS.selectOptions);
  const spec = revisionOf(submission)?.spec;
  const fallbackVersion = defaultVersionId(submission.id, submission.revision);
  const projectOptions = projects.map(projectOption);

  const revision = revisionOf(submission);
  const blocks: KnownBlock[] = [
    section(
      `*${submission.id}* · ${spec ? code(spec.service) : 'submission'} from ${mention(submission.partner.userId)}, revision ${submission.revision}`,
    ),
  ];
  // What is approved: the digest, or why there is none yet.
  if (revision) blocks.push(context(builtFromLine(revision)));
  const warnings = revision?.warnings ?? [];
  if (warnings.length > 0) blocks.push(warningsContext(warnings));

  const select: KnownBlock = {
    type: 'input',
    block_id: APPROVE_BLOCK_ID.project,
    label: plain('Target project'),
    hint: plain(
      'The Google Cloud project the service is deployed into. The partner never sees or picks it.',
    ),
    element: {
      type: 'static_select',
      action_id: VALUE_ACTION_ID,
      options: projectOptions,
      placeholder: plain('Choose a project', LIMITS.placeholder),
      ...(projectOptions[0] ? { initial_option: projectOptions[0] } : {}),
    },
  };
  blocks.push(select);

  blocks.push({
    type: 'input',
    block_id: APPROVE_BLOCK_ID.version,
    optional: true,
    label: plain('Version id'),
    hint: plain(
      `Leave empty to use ${fallbackVersion} (submission id and revision). App Engine version ids are lowercase letters, digits and hyphens, not starting or ending with a hyphen; "default", "latest" and "ah-…" are reserved, and version-dot-service-dot-project must fit in 63 characters.`,
      LIMITS.hint,
    ),
    element: {
      type: 'plain_text_input',
      action_id: VALUE_ACTION_ID,
      max_length: VERSION_MAX,
      placeholder: plain(fallbackVersion, LIMITS.placeholder),
    },
  });

  const yes: PlainTextOption = {
    text: plain('Yes: the new version takes all traffic', LIMITS.optionText),
    value: YES,
  };
  const no: PlainTextOption = {
    text: plain('No: deploy it without traffic (own URL only)', LIMITS.optionText),
    value: NO,
  };
  blocks.push({
    type: 'input',
    block_id: APPROVE_BLOCK_ID.promote,
    label: plain('Promote traffic'),
    hint: plain(
      'Yes for a new service or a routine update. No keeps the version now serving; the new one is reachable at its version URL until someone migrates traffic.',
    ),
    element: {
      type: 'radio_buttons',
      action_id: VALUE_ACTION_ID,
      options: [yes, no],
      initial_option: PROMOTE_DEFAULT ? yes : no,
    },
  });
  if (revision && needsByTag(revision.image)) blocks.push(byTagInput());
  blocks.push(
    context(
      'Approving starts the build, the acceptance tests and the deployment right away; the thread follows each step.',
    ),
  );

  return {
    type: 'modal',
    callback_id: CALLBACK_ID.approve,
    title: plain(`Approve ${submission.id}`, LIMITS.modalTitle),
    submit: plain('Approve and deploy', LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: toMetadata(decisionMetadata(metadata, submission)),
    blocks,
  };
}

/**
 * "Approve by tag", offered only while the image has no digest. Ticking it asks for a
 * confirmation first: Slack's checkboxes element takes a `confirm` dialog object, shown
 * after the element is used (https://docs.slack.dev/reference/block-kit/block-elements/checkboxes-element;
 * @slack/types' Checkboxes extends Confirmable). Approval resolves the image again first;
 * the tick counts only when that fails too.
 */
function byTagInput(): KnownBlock {
  return {
    type: 'input',
    block_id: APPROVE_BLOCK_ID.byTag,
    optional: true,
    label: plain('No digest yet'),
    hint: plain(
      'Approving asks the registry again. If it still cannot say which image the tag names, approval is refused unless this is ticked; then the build pulls whatever the tag names at that moment.',
      LIMITS.hint,
    ),
    element: {
      type: 'checkboxes',
      action_id: VALUE_ACTION_ID,
      options: [{ text: plain('Approve by tag', LIMITS.optionText), value: BY_TAG }],
      confirm: {
        title: plain('Approve by tag?', 100),
        text: plain(
          'Without a digest, what is built is whatever the tag names when the build pulls it, which may not be the image reviewed. The approval is audited as by tag.',
          300,
        ),
        confirm: plain('Approve by tag', 30),
        deny: plain('Keep the digest check', 30),
        style: 'danger',
      },
    },
  };
}

function projectOption(project: string): PlainTextOption {
  return {
    text: plain(truncate(project, LIMITS.optionText), LIMITS.optionText),
    value: project.slice(0, LIMITS.optionValue),
  };
}

export function parseApproveMetadata(text: string | undefined): ApproveMetadata | undefined {
  return parseDecisionMetadata(fromMetadata(text));
}

export type ApproveFormResult =
  | { ok: true; project: string; versionLabel?: string; promote: boolean; byTag?: boolean }
  | { ok: false; errors: Record<string, string> };

/**
 * Reads the approve modal. The project must be one of `projects` (a forged or stale
 * option is refused); a version label is checked against App Engine's rules for that
 * project and `service`. When no label is given and `defaultVersion` is, that one is
 * checked instead, so a too-long host name is caught here rather than at deploy time. A
 * version id longer than its input allows is refused before any of that.
 */
export function readApproveForm(
  values: Record<string, Record<string, ViewStateValue>>,
  options: { service: string; projects: string[]; defaultVersion?: string },
): ApproveFormResult {
  const tooLong = overLongInputs(values, APPROVE_LIMITS);
  if (tooLong) return { ok: false, errors: tooLong };
  const errors: Record<string, string> = {};
  const state = (block: string) =>
    Object.hasOwn(values, block) ? values[block]?.[VALUE_ACTION_ID] : undefined;

  const project = state(APPROVE_BLOCK_ID.project)?.selected_option?.value ?? undefined;
  if (project === undefined || !options.projects.includes(project)) {
    errors[APPROVE_BLOCK_ID.project] =
      `Choose one of the target projects: ${options.projects.join(', ')}`;
  }

  const typed = state(APPROVE_BLOCK_ID.version)?.value?.trim() ?? '';
  const versionLabel = typed === '' ? undefined : typed;
  if (project !== undefined && errors[APPROVE_BLOCK_ID.project] === undefined) {
    const version = versionLabel ?? options.defaultVersion;
    const issues = version === undefined ? [] : checkVersionId(version, options.service, project);
    if (issues.length > 0) {
      const message = issues.map((i) => i.message).join('\n');
      errors[APPROVE_BLOCK_ID.version] =
        versionLabel === undefined
          ? `The default version id ${JSON.stringify(version)} does not fit: ${message}`
          : capitalize(message);
    }
  }

  const choice = state(APPROVE_BLOCK_ID.promote)?.selected_option?.value;
  if (choice !== YES && choice !== NO) errors[APPROVE_BLOCK_ID.promote] = 'Choose Yes or No';

  if (Object.keys(errors).length > 0 || project === undefined) return { ok: false, errors };
  const byTag = state(APPROVE_BLOCK_ID.byTag)?.selected_options?.some((o) => o.value === BY_TAG);
  const result: ApproveFormResult = { ok: true, project, promote: choice === YES };
  if (byTag) result.byTag = true;
  if (versionLabel !== undefined) result.versionLabel = versionLabel;
  return result;
}
