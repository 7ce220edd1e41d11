import { validateView } from '../blocks.ts';
import type { Args, JsonObject, SlackResult, StoredView } from '../types.ts';
import type { Workspace } from '../workspace.ts';
import { fail, invalidArguments, jsonArg, str } from './args.ts';

/** views.push refuses a fourth view on a stack (docs: push_limit_reached, "Currently the limit is 3"). */
export const MAX_STACK = 3;

/** The view as Slack returns it (without the stand-in's `user_id`). */
export function publicView(view: StoredView): JsonObject {
  const { user_id: _user, ...rest } = view;
  return rest;
}

/**
 * Reads and validates `view`. Slack answers a malformed or over-limit view with
 * `invalid_arguments` and `[ERROR] ... [json-pointer:/view/...]` lines in
 * `response_metadata.messages` (not `invalid_blocks`, which is for messages).
 */
function readView(args: Args, type: 'modal' | 'home'): JsonObject | SlackResult {
  const parsed = jsonArg(args, 'view');
  if (!parsed.ok) return invalidArguments(['view must be valid JSON [json-pointer:/view]']);
  if (parsed.value === undefined)
    return invalidArguments(['missing required field: view [json-pointer:/view]']);
  const problems = validateView(parsed.value);
  if (problems.length > 0) return invalidArguments(problems);
  const view = parsed.value as JsonObject;
  if (view.type !== type) {
    return invalidArguments([`must be ${type} for this method [json-pointer:/view/type]`]);
  }
  return view;
}

function isResult(value: JsonObject | SlackResult): value is SlackResult {
  return typeof value.ok === 'boolean';
}

function triggerOf(args: Args): string | undefined {
  return str(args, 'trigger_id') ?? str(args, 'interactivity_pointer');
}

/**
 * views.open / views.push. The view is validated before the trigger is exchanged, so a
 * rejected view does not use up the trigger (the caller can fix the view and retry within
 * the 3 s). Trigger errors: see Workspace.exchangeTrigger.
 */
function openOrPush(ws: Workspace, args: Args, mode: 'open' | 'push'): SlackResult {
  const triggerId = triggerOf(args);
  if (!triggerId) return invalidArguments(['missing required field: trigger_id']);
  const view = readView(args, 'modal');
  if (isResult(view)) return view;
  if (ws.externalIdTaken(view.external_id)) return fail('duplicate_external_id');
  const trigger = ws.exchangeTrigger(triggerId);
  if (!trigger.ok) return fail(trigger.error);
  if (mode === 'push') {
    if (ws.stackSize(trigger.user) === 0) return fail('not_found');
    if (ws.stackSize(trigger.user) >= MAX_STACK) return fail('push_limit_reached');
    return { ok: true, view: publicView(ws.pushView(trigger.user, view)) };
  }
  return { ok: true, view: publicView(ws.openView(trigger.user, view)) };
}

export function openView(ws: Workspace, args: Args): SlackResult {
  return openOrPush(ws, args, 'open');
}

export function pushView(ws: Workspace, args: Args): SlackResult {
  return openOrPush(ws, args, 'push');
}

/**
 * views.update by view_id or external_id; `hash` (when given) must be the current one.
 * Errors as https://docs.slack.dev/reference/methods/views.update lists them: `not_found`
 * for an id that names no view (here also one the user closed), `hash_conflict` when the
 * hash is not the stored one, `duplicate_external_id`, and an invalid view's arguments.
 */
export function updateView(ws: Workspace, args: Args): SlackResult {
  const viewId = str(args, 'view_id');
  const externalId = str(args, 'external_id');
  if (!viewId && !externalId) {
    return invalidArguments(['exactly one of view_id or external_id is required']);
  }
  const current = ws.findView(viewId ? { view_id: viewId } : { external_id: externalId as string });
  if (!current) return fail('not_found');
  const view = readView(args, current.type);
  if (isResult(view)) return view;
  const hash = str(args, 'hash');
  if (hash !== undefined && hash !== current.hash) return fail('hash_conflict');
  if (ws.externalIdTaken(view.external_id, current.id)) return fail('duplicate_external_id');
  return { ok: true, view: publicView(ws.updateView(current.id, view)) };
}

/** views.publish: the user's Home tab; `hash` (when given) must match the published one. */
export function publishView(ws: Workspace, args: Args): SlackResult {
  const user = str(args, 'user_id') ?? '';
  if (!ws.knowsUser(user)) return fail('user_not_found');
  const view = readView(args, 'home');
  if (isResult(view)) return view;
  const current = ws.home(user);
  const hash = str(args, 'hash');
  if (hash !== undefined && current && hash !== current.hash) return fail('hash_conflict');
  if (ws.externalIdTaken(view.external_id, current?.id)) return fail('duplicate_external_id');
  return { ok: true, view: publicView(ws.publishHome(user, view)) };
}
