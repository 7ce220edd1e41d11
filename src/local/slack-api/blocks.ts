/**
 * Block Kit validation with Slack's documented limits
 * (https://docs.slack.dev/reference/block-kit/blocks, .../block-elements,
 * .../composition-objects, .../surfaces/modal).
 *
 * Each problem reads like Slack's own messages: `must be less than 3001 characters
 * [json-pointer:/blocks/0/text/text]`. Messages answer them as `invalid_blocks` with an
 * `errors` array; views answer `invalid_arguments` with `response_metadata.messages`
 * (see methods/chat.ts and methods/views.ts).
 */

export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  plainTextInput: 3000,
  selectOptions: 100,
  optionGroups: 100,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  checkboxOptions: 10,
  overflowOptions: 5,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  imageUrl: 3000,
  altText: 2000,
  imageTitle: 2000,
  markdownText: 12000,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
} as const;

type Obj = Record<string, unknown>;

class Problems {
  readonly list: string[] = [];

  add(pointer: string, message: string): void {
    this.list.push(`${message} [json-pointer:${pointer}]`);
  }
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Slack counts characters, not UTF-16 code units. */
function charCount(s: string): number {
  return [...s].length;
}

function checkString(
  p: Problems,
  value: unknown,
  pointer: string,
  opts: { max: number; required?: boolean; min?: number },
): value is string {
  if (value === undefined || value === null) {
    if (opts.required) p.add(pointer, 'missing required field');
    return false;
  }
  if (typeof value !== 'string') {
    p.add(pointer, 'must be a string');
    return false;
  }
  const n = charCount(value);
  if (n > opts.max) p.add(pointer, `must be less than ${opts.max + 1} characters`);
  if (opts.min !== undefined && n < opts.min)
    p.add(pointer, `must be at least ${opts.min} characters`);
  return true;
}

function checkText(
  p: Problems,
  value: unknown,
  pointer: string,
  opts: { max: number; plainOnly?: boolean; required?: boolean },
): void {
  if (value === undefined || value === null) {
    if (opts.required) p.add(pointer, 'missing required field');
    return;
  }
  if (!isObj(value)) {
    p.add(pointer, 'must be a text object');
    return;
  }
  if (opts.plainOnly && value.type !== 'plain_text') {
    p.add(`${pointer}/type`, `must be plain_text, not ${String(value.type)}`);
  } else if (value.type !== 'plain_text' && value.type !== 'mrkdwn') {
    p.add(`${pointer}/type`, 'must be plain_text or mrkdwn');
  }
  checkString(p, value.text, `${pointer}/text`, { max: opts.max, required: true, min: 1 });
}

function checkArray(
  p: Problems,
  value: unknown,
  pointer: string,
  opts: { max: number; min?: number; required?: boolean },
): unknown[] | undefined {
  if (value === undefined || value === null) {
    if (opts.required) p.add(pointer, 'missing required field');
    return undefined;
  }
  if (!Array.isArray(value)) {
    p.add(pointer, 'must be an array');
    return undefined;
  }
  if (value.length > opts.max) p.add(pointer, `no more than ${opts.max} items allowed`);
  if (opts.min !== undefined && value.length < opts.min) {
    p.add(pointer, `must provide at least ${opts.min} items`);
  }
  return value;
}

function checkUrl(p: Problems, value: unknown, pointer: string): void {
  checkString(p, value, pointer, { max: LIMITS.url });
}

function checkConfirm(p: Problems, value: unknown, pointer: string): void {
  if (value === undefined) return;
  if (!isObj(value)) {
    p.add(pointer, 'must be a confirmation dialog object');
    return;
  }
  checkText(p, value.title, `${pointer}/title`, {
    max: LIMITS.confirmTitle,
    plainOnly: true,
    required: true,
  });
  checkText(p, value.text, `${pointer}/text`, { max: LIMITS.confirmText, required: true });
  checkText(p, value.confirm, `${pointer}/confirm`, {
    max: LIMITS.confirmButton,
    plainOnly: true,
    required: true,
  });
  checkText(p, value.deny, `${pointer}/deny`, {
    max: LIMITS.confirmButton,
    plainOnly: true,
    required: true,
  });
}

function checkOption(
  p: Problems,
  value: unknown,
  pointer: string,
  opts: { plainOnly: boolean; allowUrl?: boolean },
): void {
  if (!isObj(value)) {
    p.add(pointer, 'must be an option object');
    return;
  }
  checkText(p, value.text, `${pointer}/text`, {
    max: LIMITS.optionText,
    plainOnly: opts.plainOnly,
    required: true,
  });
  checkString(p, value.value, `${pointer}/value`, { max: LIMITS.optionValue, required: true });
  checkText(p, value.description, `${pointer}/description`, {
    max: LIMITS.optionDescription,
    plainOnly: opts.plainOnly,
  });
  if (value.url !== undefined) {
    if (opts.allowUrl) checkUrl(p, value.url, `${pointer}/url`);
    else p.add(`${pointer}/url`, 'url is only allowed in overflow menu options');
  }
}

function optionKey(option: unknown): string {
  if (!isObj(option)) return '';
  const text = isObj(option.text) ? option.text.text : undefined;
  return JSON.stringify([option.value, text]);
}

/** Slack refuses an initial option that is not one of the element's options. */
function checkInitialOptions(p: Problems, element: Obj, pointer: string, options: unknown[]): void {
  const known = new Set(options.map(optionKey));
  if (element.initial_option !== undefined && !known.has(optionKey(element.initial_option))) {
    p.add(`${pointer}/initial_option`, 'must match one of the provided options');
  }
  if (Array.isArray(element.initial_options)) {
    element.initial_options.forEach((option, i) => {
      if (!known.has(optionKey(option))) {
        p.add(`${pointer}/initial_options/${i}`, 'must match one of the provided options');
      }
    });
  }
}

function checkSelectOptions(p: Problems, element: Obj, pointer: string): void {
  const all: unknown[] = [];
  if (element.option_groups !== undefined) {
    const groups = checkArray(p, element.option_groups, `${pointer}/option_groups`, {
      max: LIMITS.optionGroups,
      min: 1,
    });
    groups?.forEach((group, g) => {
      const gp = `${pointer}/option_groups/${g}`;
      if (!isObj(group)) {
        p.add(gp, 'must be an option group object');
        return;
      }
      checkText(p, group.label, `${gp}/label`, {
        max: LIMITS.optionText,
        plainOnly: true,
        required: true,
      });
      const options = checkArray(p, group.options, `${gp}/options`, {
        max: LIMITS.selectOptions,
        min: 1,
        required: true,
      });
      options?.forEach((o, i) => {
        checkOption(p, o, `${gp}/options/${i}`, { plainOnly: true });
        all.push(o);
      });
    });
  } else {
    const options = checkArray(p, element.options, `${pointer}/options`, {
      max: LIMITS.selectOptions,
      min: 1,
      required: true,
    });
    options?.forEach((o, i) => {
      checkOption(p, o, `${pointer}/options/${i}`, { plainOnly: true });
      all.push(o);
    });
  }
  checkInitialOptions(p, element, pointer, all);
}

function checkChoiceOptions(
  p: Problems,
  element: Obj,
  pointer: string,
  max: number,
  allowUrl: boolean,
): void {
  const options = checkArray(p, element.options, `${pointer}/options`, {
    max,
    min: 1,
    required: true,
  });
  options?.forEach((o, i) => {
    checkOption(p, o, `${pointer}/options/${i}`, { plainOnly: allowUrl, allowUrl });
  });
  if (options) checkInitialOptions(p, element, pointer, options);
}

function checkPlainTextInput(p: Problems, element: Obj, pointer: string): void {
  const { initial_value: initial, min_length: min, max_length: max } = element;
  checkString(p, initial, `${pointer}/initial_value`, { max: LIMITS.plainTextInput });
  if (min !== undefined && (typeof min !== 'number' || min < 0 || min > LIMITS.plainTextInput)) {
    p.add(`${pointer}/min_length`, `must be a number between 0 and ${LIMITS.plainTextInput}`);
  }
  if (max !== undefined && (typeof max !== 'number' || max < 1 || max > LIMITS.plainTextInput)) {
    p.add(`${pointer}/max_length`, `must be a number between 1 and ${LIMITS.plainTextInput}`);
  }
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    p.add(`${pointer}/min_length`, 'must not be greater than max_length');
  }
  if (typeof initial === 'string' && typeof max === 'number' && charCount(initial) > max) {
    p.add(`${pointer}/initial_value`, `must be less than ${max + 1} characters (max_length)`);
  }
}

function checkImage(p: Problems, element: Obj, pointer: string, titleAllowed: boolean): void {
  if (element.slack_file === undefined) {
    checkString(p, element.image_url, `${pointer}/image_url`, {
      max: LIMITS.imageUrl,
      required: true,
    });
  }
  checkString(p, element.alt_text, `${pointer}/alt_text`, { max: LIMITS.altText, required: true });
  if (titleAllowed) {
    checkText(p, element.title, `${pointer}/title`, { max: LIMITS.imageTitle, plainOnly: true });
  }
}

/** Elements with nothing to check beyond action_id and placeholder. */
const SIMPLE_ELEMENTS = new Set([
  'datepicker',
  'timepicker',
  'datetimepicker',
  'users_select',
  'multi_users_select',
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
  'external_select',
  'multi_external_select',
  'number_input',
  'email_text_input',
  'url_text_input',
  'rich_text_input',
  'file_input',
  'workflow_button',
]);

function checkElement(
  p: Problems,
  element: unknown,
  pointer: string,
  actionIds: Set<string>,
): void {
  if (!isObj(element)) {
    p.add(pointer, 'must be a block element object');
    return;
  }
  const type = element.type;
  if (
    type !== 'image' &&
    checkString(p, element.action_id, `${pointer}/action_id`, { max: LIMITS.actionId })
  ) {
    // Slack requires action_id to be unique among the interactive elements of one block.
    const id = element.action_id as string;
    if (actionIds.has(id))
      p.add(`${pointer}/action_id`, `duplicate action_id "${id}" in this block`);
    actionIds.add(id);
  }
  checkText(p, element.placeholder, `${pointer}/placeholder`, {
    max: LIMITS.placeholder,
    plainOnly: true,
  });
  checkConfirm(p, element.confirm, `${pointer}/confirm`);
  switch (type) {
    case 'button':
      checkText(p, element.text, `${pointer}/text`, {
        max: LIMITS.buttonText,
        plainOnly: true,
        required: true,
      });
      checkString(p, element.value, `${pointer}/value`, { max: LIMITS.buttonValue });
      checkUrl(p, element.url, `${pointer}/url`);
      if (
        element.style !== undefined &&
        element.style !== 'primary' &&
        element.style !== 'danger'
      ) {
        p.add(`${pointer}/style`, 'must be one of primary, danger');
      }
      return;
    case 'static_select':
    case 'multi_static_select':
      checkSelectOptions(p, element, pointer);
      return;
    case 'overflow':
      checkChoiceOptions(p, element, pointer, LIMITS.overflowOptions, true);
      return;
    case 'radio_buttons':
    case 'checkboxes':
      checkChoiceOptions(p, element, pointer, LIMITS.checkboxOptions, false);
      return;
    case 'plain_text_input':
      checkPlainTextInput(p, element, pointer);
      return;
    case 'image':
      checkImage(p, element, pointer, false);
      return;
    default:
      if (typeof type !== 'string' || !SIMPLE_ELEMENTS.has(type)) {
        p.add(`${pointer}/type`, `unsupported type: ${String(type)}`);
      }
  }
}

function checkSection(p: Problems, block: Obj, pointer: string): void {
  if (block.text === undefined && block.fields === undefined) {
    p.add(pointer, 'must provide either text or fields');
  }
  checkText(p, block.text, `${pointer}/text`, { max: LIMITS.sectionText });
  const fields = checkArray(p, block.fields, `${pointer}/fields`, {
    max: LIMITS.sectionFields,
    min: 1,
  });
  fields?.forEach((field, i) => {
    checkText(p, field, `${pointer}/fields/${i}`, { max: LIMITS.sectionFieldText, required: true });
  });
  if (block.accessory !== undefined)
    checkElement(p, block.accessory, `${pointer}/accessory`, new Set());
}

function checkContext(p: Problems, block: Obj, pointer: string): void {
  const elements = checkArray(p, block.elements, `${pointer}/elements`, {
    max: LIMITS.contextElements,
    min: 1,
    required: true,
  });
  elements?.forEach((el, i) => {
    const ep = `${pointer}/elements/${i}`;
    if (isObj(el) && el.type === 'image') checkImage(p, el, ep, false);
    else checkText(p, el, ep, { max: LIMITS.sectionText, required: true });
  });
}

function checkActions(p: Problems, block: Obj, pointer: string): void {
  const elements = checkArray(p, block.elements, `${pointer}/elements`, {
    max: LIMITS.actionsElements,
    min: 1,
    required: true,
  });
  const actionIds = new Set<string>();
  elements?.forEach((el, i) => {
    checkElement(p, el, `${pointer}/elements/${i}`, actionIds);
  });
}

function checkInput(p: Problems, block: Obj, pointer: string): void {
  checkText(p, block.label, `${pointer}/label`, {
    max: LIMITS.inputLabel,
    plainOnly: true,
    required: true,
  });
  checkText(p, block.hint, `${pointer}/hint`, { max: LIMITS.inputHint, plainOnly: true });
  if (block.element === undefined) p.add(`${pointer}/element`, 'missing required field');
  else checkElement(p, block.element, `${pointer}/element`, new Set());
}

type BlockCheck = (p: Problems, block: Obj, pointer: string) => void;

const nothingToCheck: BlockCheck = () => {};

/** Block types the stand-in knows, with what it checks in each. */
const BLOCK_CHECKS: Record<string, BlockCheck> = {
  section: checkSection,
  header: (p, block, pointer) => {
    checkText(p, block.text, `${pointer}/text`, {
      max: LIMITS.headerText,
      plainOnly: true,
      required: true,
    });
  },
  context: checkContext,
  actions: checkActions,
  input: checkInput,
  image: (p, block, pointer) => {
    checkImage(p, block, pointer, true);
  },
  markdown: (p, block, pointer) => {
    checkString(p, block.text, `${pointer}/text`, {
      max: LIMITS.markdownText,
      required: true,
      min: 1,
    });
  },
  divider: nothingToCheck,
  rich_text: nothingToCheck,
  file: nothingToCheck,
  video: nothingToCheck,
  table: nothingToCheck,
};

function checkBlock(p: Problems, block: Obj, pointer: string): void {
  const check =
    typeof block.type === 'string' && Object.hasOwn(BLOCK_CHECKS, block.type)
      ? BLOCK_CHECKS[block.type]
      : undefined;
  if (check) check(p, block, pointer);
  else p.add(`${pointer}/type`, `unsupported type: ${String(block.type)}`);
}

function checkBlockList(p: Problems, blocks: unknown, pointer: string, maxBlocks: number): void {
  const list = checkArray(p, blocks, pointer, { max: maxBlocks, required: true });
  if (!list) return;
  const blockIds = new Set<string>();
  list.forEach((block, i) => {
    const bp = `${pointer}/${i}`;
    if (!isObj(block)) {
      p.add(bp, 'must be a block object');
      return;
    }
    if (checkString(p, block.block_id, `${bp}/block_id`, { max: LIMITS.blockId })) {
      const id = block.block_id as string;
      if (blockIds.has(id)) p.add(`${bp}/block_id`, `duplicate block_id "${id}"`);
      blockIds.add(id);
    }
    checkBlock(p, block, bp);
  });
}

/** Problems with a message's `blocks` (chat.postMessage, chat.update, chat.postEphemeral). */
export function validateMessageBlocks(blocks: unknown, pointer = '/blocks'): string[] {
  const p = new Problems();
  checkBlockList(p, blocks, pointer, LIMITS.messageBlocks);
  return p.list;
}

/** Problems with a view object (modal or home tab). */
export function validateView(view: unknown, pointer = '/view'): string[] {
  const p = new Problems();
  if (!isObj(view)) {
    p.add(pointer, 'must be a view object');
    return p.list;
  }
  if (view.type !== 'modal' && view.type !== 'home') {
    p.add(`${pointer}/type`, `unsupported type: ${String(view.type)}`);
    return p.list;
  }
  if (view.type === 'modal') {
    checkText(p, view.title, `${pointer}/title`, {
      max: LIMITS.modalTitle,
      plainOnly: true,
      required: true,
    });
    checkText(p, view.submit, `${pointer}/submit`, { max: LIMITS.modalButton, plainOnly: true });
    checkText(p, view.close, `${pointer}/close`, { max: LIMITS.modalButton, plainOnly: true });
  }
  checkBlockList(p, view.blocks, `${pointer}/blocks`, LIMITS.viewBlocks);
  if (view.type === 'modal' && view.submit == null && Array.isArray(view.blocks)) {
    const i = view.blocks.findIndex((b) => isObj(b) && b.type === 'input');
    if (i >= 0)
      p.add(
        `${pointer}/blocks/${i}/input`,
        'must define `submit` to use an `input` block in modals',
      );
  }
  checkString(p, view.private_metadata, `${pointer}/private_metadata`, {
    max: LIMITS.privateMetadata,
  });
  checkString(p, view.callback_id, `${pointer}/callback_id`, { max: LIMITS.callbackId });
  checkString(p, view.external_id, `${pointer}/external_id`, { max: LIMITS.externalId });
  return p.list;
}
