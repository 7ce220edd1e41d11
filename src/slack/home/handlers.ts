import type { App, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { HomeView } from '@slack/types';
import type { HandlerContext } from '../context.ts';
import { answerWith } from '../respond.ts';
import { homeView } from '../views/home.ts';

/** The App Home tab, drawn fresh each time it is opened. */
export async function onHomeOpened(
  ctx: HandlerContext,
  { event }: Pick<SlackEventMiddlewareArgs<'app_home_opened'>, 'event'>,
): Promise<void> {
  if (event.tab !== 'home') return;
  const userId = event.user;
  // Without the database there is nothing new to show: the tab keeps what it showed last.
  await answerWith(ctx, () => ctx.useCases.home({ actor: { userId } }), {
    draw: (outcome): HomeView | undefined => homeView(outcome),
    reply: async (view) => {
      if (view) await ctx.client.views.publish({ user_id: userId, view });
    },
    fallbacks: { unavailable: undefined, slow: undefined },
  });
}

export function register(app: App, ctx: HandlerContext): void {
  app.event('app_home_opened', (args) => onHomeOpened(ctx, args));
}
