import type { Args, SlackResult } from '../types.ts';
import type { Workspace } from '../workspace.ts';
import { bool, fail, str } from './args.ts';

export function authTest(ws: Workspace): SlackResult {
  const o = ws.options;
  return {
    ok: true,
    url: o.workspaceUrl,
    team: o.teamDomain,
    user: 'playground',
    team_id: o.teamId,
    user_id: o.botUserId,
    bot_id: o.botId,
    is_enterprise_install: false,
  };
}

/** users.info: unknown users are `user_not_found` (only seeded users exist). */
export function usersInfo(ws: Workspace, args: Args): SlackResult {
  const user = ws.user(str(args, 'user') ?? '');
  if (!user) return fail('user_not_found');
  const realName = user.real_name ?? user.name;
  return {
    ok: true,
    user: {
      id: user.id,
      team_id: ws.options.teamId,
      name: user.name,
      real_name: realName,
      deleted: false,
      is_bot: user.is_bot ?? false,
      is_admin: false,
      tz: user.tz ?? 'Europe/Paris',
      profile: {
        real_name: realName,
        display_name: user.name,
        ...(user.email ? { email: user.email } : {}),
      },
    },
  };
}

/** usergroups.users.list: unknown groups are `no_such_subteam`. */
export function usergroupsUsersList(ws: Workspace, args: Args): SlackResult {
  const group = ws.usergroup(str(args, 'usergroup') ?? '');
  if (!group) return fail('no_such_subteam');
  return { ok: true, users: [...group.users] };
}

/** conversations.open for one user: the app's DM with them, the same id every time. */
export function conversationsOpen(ws: Workspace, args: Args): SlackResult {
  const users = (str(args, 'users') ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (users.length === 0) return fail('users_list_not_supplied');
  if (users.length > 1) return fail('not_supported', { detail: 'the stand-in opens 1:1 DMs only' });
  const [user] = users as [string];
  if (!ws.knowsUser(user)) return fail('user_not_found');
  const known = ws.hasDm(user);
  const id = ws.openDm(user);
  const channel = bool(args, 'return_im') ? { id, is_im: true, user, created: 0 } : { id };
  return { ok: true, ...(known ? { no_op: true, already_open: true } : {}), channel };
}

/**
 * conversations.info: a channel the workspace has (any well-formed id when no channels
 * were seeded), with `is_member` for the bot; others are `channel_not_found`.
 */
export function conversationsInfo(ws: Workspace, args: Args): SlackResult {
  const asked = str(args, 'channel') ?? '';
  // A user id is no conversation id here (resolveChannel would open a DM for it).
  const id = /^[CG]/.test(asked) ? ws.resolveChannel(asked) : undefined;
  const channel = id === undefined ? undefined : ws.channels().find((c) => c.id === id);
  if (!channel) return fail('channel_not_found');
  return {
    ok: true,
    channel: {
      id: channel.id,
      name: channel.name,
      is_channel: channel.id.startsWith('C'),
      is_private: channel.id.startsWith('G'),
      is_archived: false,
      is_member: channel.botIsMember !== false,
    },
  };
}
