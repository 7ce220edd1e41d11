import type {
  InputBlock,
  KnownBlock,
  PlainTextInput,
  RadioButtons,
  StaticSelect,
} from '@slack/types';
import { describe, expect, it } from 'vitest';
import { approvalHash } from '../../../src/domain/approval-binding.ts';
import type { Revision } from '../../../src/domain/submission.ts';
import { defaultVersionId } from '../../../src/domain/version-id.ts';
import {
  approveModal,
  PROMOTE_DEFAULT,
  parseApproveMetadata,
  readApproveForm,
} from '../../../src/slack/views/approve-modal.ts';
import {
  APPROVE_BLOCK_ID,
  CALLBACK_ID,
  REASON_BLOCK_ID,
  VALUE_ACTION_ID,
} from '../../../src/slack/views/ids.ts';
import {
  parseReasonMetadata,
  REASON_MAX,
  readReasonForm,
  reasonModal,
} from '../../../src/slack/views/reason-modal.ts';
import { submission } from './fixtures.ts';

function input(blocks: KnownBlock[], id: string): InputBlock {
  const block = blocks.find((b) => b.type === 'input' && b.block_id === id);
  if (!block) throw new Error(`no input ${id}`);
  return block as InputBlock;
}

function approveState(
  project: string | null,
  version: string | null,
  promote: 'yes' | 'no' | null,
) {
  const option = (value: string | null) =>
    value === null ? null : { text: { type: 'plain_text' as const, text: value }, value };
  return {
    project: { value: { type: 'static_select', selected_option: option(project) } },
    version: { value: { type: 'plain_text_input', value: version } },
    promote: { value: { type: 'radio_buttons', selected_option: option(promote) } },
  };
}

describe('defaultVersionId', () => {
  it('is the id and revision, lowercase and App Engine safe', () => {
    expect(defaultVersionId('PG-0042', 1)).toBe('pg-0042-r1');
    expect(defaultVersionId('PG-12345', 12)).toBe('pg-12345-r12');
    expect(defaultVersionId('--Odd id__', 3)).toBe('odd-id-r3');
  });
});

describe('approveModal', () => {
  const modal = () =>
    approveModal({
      submission: submission(),
      targetProjects: ['pg-prod', 'pg-staging'],
      metadata: { id: 'PG-0042', channel: 'C0REVIEW', ts: '1741097100.000100' },
    });

  it('asks for the target project (first by default), an optional version and promote (Yes by default)', () => {
    const view = modal();
    expect(view.callback_id).toBe(CALLBACK_ID.approve);
    expect(view.title.text).toBe('Approve PG-0042');
    const blocks = view.blocks as KnownBlock[];
    const project = input(blocks, APPROVE_BLOCK_ID.project);
    expect(project.optional).toBeFalsy();
    const select = project.element as StaticSelect;
    expect(select.action_id).toBe(VALUE_ACTION_ID);
    expect(select.options?.map((o) => o.value)).toEqual(['pg-prod', 'pg-staging']);
    expect(select.initial_option?.value).toBe('pg-prod');
    const version = input(blocks, APPROVE_BLOCK_ID.version);
    expect(version.optional).toBe(true);
    expect((version.element as PlainTextInput).placeholder?.text).toBe('pg-0042-r1');
    expect(version.hint?.text).toContain('pg-0042-r1');
    const promote = input(blocks, APPROVE_BLOCK_ID.promote).element as RadioButtons;
    expect(promote.options.map((o) => o.value)).toEqual(['yes', 'no']);
    expect(PROMOTE_DEFAULT).toBe(true);
    expect(promote.initial_option?.value).toBe('yes');
  });

  it('round-trips its metadata', () => {
    expect(parseApproveMetadata(modal().private_metadata)).toEqual({
      id: 'PG-0042',
      channel: 'C0REVIEW',
      ts: '1741097100.000100',
      opened: { revision: 1, hash: approvalHash(submission().revisions[0] as Revision) },
    });
    expect(parseApproveMetadata('{}')).toBeUndefined();
    // What the form was opened on is required: without it a decision cannot be bound.
    expect(parseApproveMetadata('{"id":"PG-0042"}')).toBeUndefined();
    expect(parseApproveMetadata('{"id":"PG-0042","revision":"1","hash":"ab"}')).toBeUndefined();
  });
});

describe('readApproveForm', () => {
  const options = { service: 'my-service', projects: ['pg-prod', 'pg-staging'] };

  it('reads project, promote and no version label', () => {
    expect(readApproveForm(approveState('pg-staging', null, 'no'), options)).toEqual({
      ok: true,
      project: 'pg-staging',
      promote: false,
    });
    expect(readApproveForm(approveState('pg-prod', '  ', 'yes'), options)).toEqual({
      ok: true,
      project: 'pg-prod',
      promote: true,
    });
  });

  it('reads a valid version label, trimmed', () => {
    expect(readApproveForm(approveState('pg-prod', ' v2-roofs ', 'yes'), options)).toEqual({
      ok: true,
      project: 'pg-prod',
      versionLabel: 'v2-roofs',
      promote: true,
    });
  });

  it('puts App Engine version rule violations on the version block', () => {
    const bad = readApproveForm(approveState('pg-prod', 'V2_Roofs', 'yes'), options);
    expect(bad).toEqual({ ok: false, errors: { version: expect.stringMatching(/^"V2_Roofs"/) } });
    const reserved = readApproveForm(approveState('pg-prod', 'ah-builtin', 'yes'), options);
    expect(reserved.ok).toBe(false);
    const long = readApproveForm(approveState('pg-prod', 'a'.repeat(50), 'yes'), options);
    expect(long).toEqual({ ok: false, errors: { version: expect.stringContaining('host name') } });
  });

  it('checks the default version id when none is given', () => {
    const tight = { service: 's'.repeat(40), projects: ['pg-prod'], defaultVersion: 'pg-0042-r1' };
    expect(readApproveForm(approveState('pg-prod', null, 'yes'), tight)).toEqual({
      ok: false,
      errors: { version: expect.stringContaining('The default version id "pg-0042-r1"') },
    });
  });

  it('refuses a version id longer than its box (63) before checking it', () => {
    const view = approveModal({
      submission: submission(),
      targetProjects: ['pg-prod'],
      metadata: { id: 'PG-0042' },
    });
    const box = input(view.blocks as KnownBlock[], APPROVE_BLOCK_ID.version)
      .element as PlainTextInput;
    expect(box.max_length).toBe(63);
    expect(readApproveForm(approveState('someone-elses', 'v'.repeat(64), null), options)).toEqual({
      ok: false,
      errors: { version: 'Version id: at most 63 characters; this is 64' },
    });
  });

  it('refuses a project that is not a target project (forged or stale)', () => {
    expect(readApproveForm(approveState('someone-elses', null, 'yes'), options)).toEqual({
      ok: false,
      errors: { project: 'Choose one of the target projects: pg-prod, pg-staging' },
    });
    expect(readApproveForm(approveState(null, null, null), options)).toEqual({
      ok: false,
      errors: { project: expect.any(String), promote: 'Choose Yes or No' },
    });
  });
});

describe('reasonModal', () => {
  it('asks for a required reason of 1 to 2000 characters', () => {
    for (const action of ['reject', 'request_changes'] as const) {
      const view = reasonModal({
        submission: submission(),
        action,
        metadata: { id: 'PG-0042', channel: 'C1', ts: '1.2' },
      });
      expect(view.callback_id).toBe(CALLBACK_ID.reason);
      const reason = input(view.blocks as KnownBlock[], REASON_BLOCK_ID);
      expect(reason.optional).toBeFalsy();
      expect(reason.element).toMatchObject({
        type: 'plain_text_input',
        action_id: VALUE_ACTION_ID,
        multiline: true,
        min_length: 1,
        max_length: REASON_MAX,
      });
      expect(parseReasonMetadata(view.private_metadata)).toEqual({
        id: 'PG-0042',
        action,
        channel: 'C1',
        ts: '1.2',
        opened: { revision: 1, hash: expect.stringMatching(/^[0-9a-f]{16}$/) },
      });
    }
    expect(
      reasonModal({ submission: submission(), action: 'reject', metadata: { id: 'PG-0042' } }).title
        .text,
    ).toBe('Reject PG-0042');
    expect(
      reasonModal({
        submission: submission(),
        action: 'request_changes',
        metadata: { id: 'PG-0042' },
      }).title.text,
    ).toBe('Request changes');
  });

  it('reads the reason trimmed and flags a blank one', () => {
    const typed = (value: string) => ({ reason: { value: { type: 'plain_text_input', value } } });
    expect(readReasonForm(typed('  Pin the image tag.\n'))).toEqual({
      ok: true,
      reason: 'Pin the image tag.',
    });
    const blank = { ok: false, errors: { reason: expect.stringMatching(/^Write a reason/) } };
    expect(readReasonForm(typed('   '))).toEqual(blank);
    expect(readReasonForm({})).toEqual(blank);
  });

  it('reads no more of the reason than its box holds, blanks included', () => {
    const typed = (value: string) => ({ reason: { value: { type: 'plain_text_input', value } } });
    expect(readReasonForm(typed('é'.repeat(REASON_MAX)))).toMatchObject({ ok: true });
    // Counted as typed: blanks a forged request pads with are not trimmed away first.
    expect(readReasonForm(typed(`${'x'.repeat(REASON_MAX)} `))).toEqual({
      ok: false,
      errors: { reason: 'Reason: at most 2,000 characters; this is 2,001' },
    });
  });

  it('refuses metadata without a known action', () => {
    expect(parseReasonMetadata('{"id":"PG-0042","action":"approve"}')).toBeUndefined();
  });
});
