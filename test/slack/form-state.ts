import type { StoredView } from '../../src/local/slack-api/types.ts';

type Json = Record<string, unknown>;

/**
 * The `view.state.values` Slack sends on submit: each input block's element with the
 * value the user left in it, which is its initial value unless `typed` changes it.
 * `typed` maps block ids to text (plain text, number) or an option value (selects,
 * radio buttons); `null` clears a field.
 */
export function formState(
  view: StoredView,
  typed: Record<string, string | null> = {},
): Record<string, Record<string, Json>> {
  const values: Record<string, Record<string, Json>> = {};
  for (const block of view.blocks) {
    if (block.type !== 'input') continue;
    const blockId = String(block.block_id);
    const element = block.element as Json;
    const actionId = String(element.action_id);
    const given = Object.hasOwn(typed, blockId) ? typed[blockId] : undefined;
    const type = String(element.type);
    if (type === 'static_select' || type === 'radio_buttons') {
      const options = (element.options as Json[]) ?? [];
      const chosen =
        given === undefined
          ? (element.initial_option as Json | undefined)
          : options.find((o) => o.value === given);
      values[blockId] = { [actionId]: { type, selected_option: chosen ?? null } };
    } else {
      const initial = (element.initial_value as string | undefined) ?? null;
      const value = given === undefined ? initial : given === null || given === '' ? null : given;
      values[blockId] = { [actionId]: { type, value } };
    }
  }
  return values;
}
