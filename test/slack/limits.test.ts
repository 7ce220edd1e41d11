// Every text value the bot reads from a modal or a command has a limit, applied before
// anything parses it, through the real Bolt app over HTTP: over it, the answer is an
// error naming the field and its limit, and nothing is stored or posted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VALID_FORM } from './fill.ts';
import { APPROVER, type Bot, eventually, PARTNER, REVIEW_CHANNEL, startBot } from './harness.ts';

const MB = 1024 * 1024;

let bot: Bot;
beforeEach(async () => {
  bot = await startBot();
});
afterEach(async () => {
  await bot.close();
});

function fieldErrors(answer: { status: number; body: unknown }): Record<string, string> {
  expect(answer.status).toBe(200);
  const body = answer.body as { response_action?: string; errors?: Record<string, string> };
  expect(body.response_action).toBe('errors');
  return body.errors ?? {};
}

async function nothingStored() {
  expect(await bot.store.listAll({ limit: 10 })).toEqual([]);
  expect(bot.api.messages(REVIEW_CHANNEL)).toEqual([]);
  expect(bot.logs.some((l) => l.message === 'stored')).toBe(false);
}

describe('the submit form', () => {
  it('answers a 1 MB YAML paste with its size on the YAML box, and stores nothing', async () => {
    await bot.command(PARTNER, 'submit');
    const modal = await bot.modal(PARTNER);
    const answer = await bot.submit(PARTNER, { ...VALID_FORM, yaml: `#${'x'.repeat(MB - 1)}` });
    expect(fieldErrors(answer)).toEqual({
      yaml: 'Settings as YAML: at most 65,536 bytes; this is 1,048,576',
    });
    await nothingStored();
    // The modal stays open with everything typed; a valid form still goes through.
    expect((await bot.modal(PARTNER)).id).toBe(modal.id);
    expect((await bot.submit(PARTNER, VALID_FORM)).text).toBe('');
    expect(await bot.store.listAll({ limit: 10 })).toHaveLength(1);
  });

  it('answers a field longer than its input with the field and its limit, and stores nothing', async () => {
    await bot.command(PARTNER, 'submit');
    const answer = await bot.submit(PARTNER, {
      ...VALID_FORM,
      service: 's'.repeat(64),
      'describe.title': 't'.repeat(101),
    });
    expect(fieldErrors(answer)).toEqual({
      service: 'Service name: at most 63 characters; this is 64',
      'describe.title': 'Title: at most 100 characters; this is 101',
    });
    await nothingStored();
  });
});

describe('the review forms', () => {
  async function submitted() {
    await bot.command(PARTNER, 'submit');
    await bot.submit(PARTNER, VALID_FORM);
    await eventually(async () => {
      if (!(await bot.store.get('PG-0001'))?.thread) throw new Error('not posted yet');
    });
  }

  it('answer an over-long reason or version id on its field and decide nothing', async () => {
    await submitted();
    await bot.click(APPROVER, 'reject', 'PG-0001');
    await bot.modal(APPROVER);
    expect(fieldErrors(await bot.submit(APPROVER, { reason: 'r'.repeat(MB) }))).toEqual({
      reason: 'Reason: at most 2,000 characters; this is 1,048,576',
    });
    bot.api.workspace.closeView(APPROVER);

    await bot.click(APPROVER, 'approve', 'PG-0001');
    await bot.modal(APPROVER);
    expect(fieldErrors(await bot.submit(APPROVER, { version: 'v'.repeat(64) }))).toEqual({
      version: 'Version id: at most 63 characters; this is 64',
    });

    expect((await bot.store.get('PG-0001'))?.status).toBe('submitted');
    expect((await bot.store.audit('PG-0001')).map((e) => e.action)).toEqual(['submit']);
    expect(bot.api.messages(REVIEW_CHANNEL)[0]?.replies).toEqual([]);
    expect(bot.cloudBuild.createdBuilds()).toEqual([]);
  });
});

describe('/playground', () => {
  it('answers an over-long command with its limit and reads nothing of it', async () => {
    await bot.command(PARTNER, 'submit');
    await bot.submit(PARTNER, VALID_FORM);
    const answer = await bot.command(PARTNER, `cancel PG-0001 ${'x'.repeat(300)}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/^The command: at most 200 characters; this is 315\./),
    });
    expect((await bot.store.get('PG-0001'))?.status).toBe('submitted');
  });
});
