import type { App } from '@slack/bolt';
import type { HandlerContext } from '../context.ts';
import { homeView, QUEUE_STATUSES } from '../views/home.ts';

const HOME_LIMIT = 50;

/** The App Home tab, drawn fresh each time it is opened. */
export function register(app: App, ctx: HandlerContext): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const userId = event.user;
    const mine = await ctx.store.listByPartner(userId, { limit: HOME_LIMIT });
    const queue = (await ctx.approvers.includes(userId))
      ? await ctx.store.listAll({ statuses: [...QUEUE_STATUSES], limit: HOME_LIMIT })
      : undefined;
    await client.views.publish({
      user_id: userId,
      view: homeView({ mine, ...(queue ? { queue } : {}) }),
    });
  });
}
