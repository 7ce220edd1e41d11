import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VALID_FORM } from './fill.ts';
import {
  type Bot,
  eventually,
  OTHER_PARTNER,
  PARTNER,
  REVIEW_CHANNEL,
  startBot,
} from './harness.ts';

let bot: Bot;
beforeEach(async () => {
  bot = await startBot();
});
afterEach(async () => {
  await bot.close();
});

async function openModal(userId = PARTNER) {
  const answer = await bot.command(userId, 'submit');
  expect(answer.status).toBe(200);
  return await bot.modal(userId);
}

describe('/playground submit', () => {
  it('opens the modal with the seed defaults filled in', async () => {
    const modal = await openModal();
    expect(modal.callback_id).toBe('submit');
    const open = bot.api.callsTo('views.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.ok).toBe(true);
    const initial = (blockId: string) =>
      (modal.blocks.find((b) => b.block_id === blockId)?.element as { initial_value?: string })
        ?.initial_value;
    expect(initial('resources.cpu')).toBe('4');
    expect(initial('resources.memory_gb')).toBe('3.2');
    expect(initial('gunicorn.workers')).toBe('2');
    expect(initial('gunicorn.timeout')).toBe('60');
  });

  it('answers field errors on the exact blocks and stores nothing', async () => {
    const modal = await openModal();
    const answer = await bot.submit(PARTNER, {
      ...VALID_FORM,
      PADDING: '300',
      PREDICTOR_CLASS: 'class',
      image: 'Not An Image',
    });
    expect(answer.status).toBe(200);
    const body = answer.body as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors).sort()).toEqual(['PADDING', 'PREDICTOR_CLASS', 'image']);
    expect(body.errors.PADDING).toMatch(/300.*256/);
    expect(body.errors.PREDICTOR_CLASS).toMatch(/keyword/);
    expect(await bot.store.listAll({ limit: 10 })).toEqual([]);
    // The modal stays open with what the partner typed.
    expect((await bot.modal(PARTNER)).id).toBe(modal.id);
    expect(bot.api.messages(REVIEW_CHANNEL)).toEqual([]);
  });

  it('stores a valid submission, posts it for review and tells the partner', async () => {
    await openModal();
    const answer = await bot.submit(PARTNER, VALID_FORM);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');

    const [stored] = await bot.store.listByPartner(PARTNER, { limit: 10 });
    expect(stored).toMatchObject({
      id: 'PG-0001',
      status: 'submitted',
      revision: 1,
      partner: { userId: PARTNER },
    });
    expect(stored?.revisions[0]?.spec).toMatchObject({
      image: 'eu.gcr.io/theplayground_repo/my_service:1.0.3',
      PADDING: 24,
      resources: { cpu: 4, memory_gb: 3.2, disk_size_gb: 10 },
    });

    const review = await eventually(() => {
      const [message] = bot.api.messages(REVIEW_CHANNEL);
      if (!message) throw new Error('no review message yet');
      return message;
    });
    const buttons = review.blocks
      ?.filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements as { action_id: string; value: string }[]);
    expect(buttons?.map((b) => b.action_id)).toEqual(['approve', 'request_changes', 'reject']);
    expect(buttons?.every((b) => b.value === 'PG-0001')).toBe(true);

    const withThread = await eventually(async () => {
      const current = await bot.store.get('PG-0001');
      if (!current?.thread) throw new Error('thread not recorded yet');
      return current;
    });
    expect(withThread.thread).toEqual({ channel: REVIEW_CHANNEL, ts: review.ts });

    const dm = await eventually(() => {
      const post = bot.api
        .callsTo('chat.postMessage')
        .find((call) => call.args.channel === PARTNER);
      if (!post) throw new Error('no DM yet');
      return post;
    });
    expect(String(dm.args.text)).toContain('PG-0001');
    expect(JSON.stringify(dm.args.blocks)).toContain('review thread');
  });

  it('takes pasted YAML over the form and reports YAML errors on the YAML field, naming the key', async () => {
    await openModal();
    const bad = await bot.submit(PARTNER, {
      ...VALID_FORM,
      yaml: 'PADING: 30\nZOOM_LEVEL: 99\n',
    });
    const errors = (bad.body as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors)).toEqual(['yaml']);
    expect(errors.yaml).toContain('PADING');
    expect(errors.yaml).toMatch(/ZOOM_LEVEL: .*99/);

    const good = await bot.submit(PARTNER, { ...VALID_FORM, yaml: 'PADDING: 32\n' });
    expect(good.text).toBe('');
    const [stored] = await bot.store.listByPartner(PARTNER, { limit: 1 });
    expect(stored?.revisions[0]?.spec.PADDING).toBe(32);
  });

  it('reports a YAML syntax error on the YAML field', async () => {
    await openModal();
    const answer = await bot.submit(PARTNER, { ...VALID_FORM, yaml: 'image: [oops\n' });
    const errors = (answer.body as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors)).toEqual(['yaml']);
    expect(errors.yaml).toMatch(/line \d+/);
  });

  it('stores a submission once however often the same modal is submitted', async () => {
    const modal = await openModal();
    const answers = await Promise.all([
      bot.submit(PARTNER, VALID_FORM, modal),
      bot.submit(PARTNER, VALID_FORM, modal),
      bot.submit(PARTNER, VALID_FORM, modal),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await bot.store.listAll({ limit: 10 })).toHaveLength(1);
    await eventually(() => expect(bot.api.messages(REVIEW_CHANNEL)).toHaveLength(1));
    // Give stray follow-ups a chance to show up before asserting there are none.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bot.api.messages(REVIEW_CHANNEL)).toHaveLength(1);
  });

  it('gives concurrent submissions from different partners distinct ids', async () => {
    await openModal(PARTNER);
    await openModal(OTHER_PARTNER);
    await Promise.all([bot.submit(PARTNER, VALID_FORM), bot.submit(OTHER_PARTNER, VALID_FORM)]);
    const ids = (await bot.store.listAll({ limit: 10 })).map((s) => s.id).sort();
    expect(ids).toEqual(['PG-0001', 'PG-0002']);
  });
});
