// The message box: slash commands go to the app; anything else gets Slackbot's notice.

import { post } from './api.js';
import { $ } from './dom.js';
import { render, state } from './state.js';

export async function sendCommand(text, channel) {
  if (!text.startsWith('/')) {
    addNotice(
      channel,
      `Only slash commands reach the app here: try ${state.data.commands[0]} help`,
    );
    return;
  }
  const answer = await post('command', { text, channel });
  if (!answer.ok)
    addNotice(channel, answer.message ?? `${text.split(' ')[0]} failed (${answer.error})`);
}

function addNotice(channel, text) {
  state.notices.push({ channel, text, ts: String(Date.now() / 1000), user: state.userId });
  render();
}

export function prefill(text) {
  const input = $('composer-input');
  input.value = text;
  input.focus();
}
