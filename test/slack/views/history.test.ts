import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/domain/submission.ts';
import { validateMessageBlocks } from '../../../src/local/slack-api/blocks.ts';
import { historyBlocks } from '../../../src/slack/views/history.ts';
import { APPROVER, AT, PARTNER, submission } from './fixtures.ts';

const refusal = (n: number): AuditEvent => ({
  at: new Date(AT.getTime() + n * 1000),
  actor: { userId: PARTNER },
  action: 'refused',
  detail: `approve <!channel> ${'&'.repeat(40)} #${n}`,
});

describe('historyBlocks', () => {
  it('lists every event oldest first, who and what, refusals included', () => {
    const events: AuditEvent[] = [
      { at: AT, actor: { userId: PARTNER }, action: 'submit', to: 'submitted' },
      { at: AT, actor: { userId: PARTNER }, action: 'refused', detail: 'approve: self-approval' },
      { at: AT, actor: { userId: APPROVER }, action: 'approve', from: 'submitted', to: 'approved' },
    ];
    const message = historyBlocks(submission({ status: 'approved' }), events);
    expect(message.text).toBe('History of PG-0042: 3 events.');
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('is approved');
    const submitted = text.indexOf(`Submitted by <@${PARTNER}>`);
    const refused = text.indexOf('approve: self-approval');
    const approved = text.indexOf(`Approved by <@${APPROVER}>`);
    expect(submitted).toBeGreaterThan(-1);
    expect(refused).toBeGreaterThan(submitted);
    expect(approved).toBeGreaterThan(refused);
    expect(text).not.toContain('not shown');
  });

  it('keeps a long trail within one message: the newest events, and a note on the rest', () => {
    const events = Array.from({ length: 2000 }, (_, i) => refusal(i));
    const message = historyBlocks(submission(), events);
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('#1999');
    expect(text).not.toContain('#0 ');
    expect(text).not.toContain('<!channel>');
    const note = text.match(/(\d+) earlier events not shown/);
    const shown = (text.match(/Refused/g) ?? []).length;
    expect(Number(note?.[1]) + shown).toBe(2000);
  });
});
