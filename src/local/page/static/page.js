// The local Slack page: renders the stand-in's state (GET /state) and turns clicks into
// what Slack would send the bot (POST /command, /action, /submit, /close, /home). Every
// change in the stand-in arrives as a Server-Sent Event and triggers a re-fetch (api.js).
// All text goes through textContent / text nodes: nothing is ever parsed as HTML.
// This entry module draws the page from its parts and starts it; each part is an ES module
// beside it, served by ../server.ts.

import { listen, refresh } from './api.js';
import { currentChannel, renderMain, renderSidebar } from './channels.js';
import { sendCommand } from './composer.js';
import { $ } from './dom.js';
import { renderThread } from './messages.js';
import { closeModal, renderModal } from './modals.js';
import { openHome, remember } from './navigation.js';
import { setRenderer, state } from './state.js';
import { renderSwitch } from './user-switch.js';

function drawPage() {
  const data = state.data;
  if (!data) return;
  const lost =
    (state.place.kind === 'channel' && !data.channels.some((c) => c.id === state.place.id)) ||
    (state.place.kind === 'app-engine' && !data.services);
  if (lost) state.place = { kind: 'channel', id: data.reviewChannel };
  renderSwitch();
  renderSidebar();
  renderMain();
  renderThread();
  renderModal();
}

setRenderer(drawPage);

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value.trim();
  if (!text || !state.data) return;
  input.value = '';
  sendCommand(text, currentChannel().id);
});

document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  const confirmOverlay = $('confirm-overlay');
  if (!confirmOverlay.hidden) {
    confirmOverlay.hidden = true;
    confirmOverlay.replaceChildren();
  } else if (state.data?.modals.length) closeModal(true);
});

refresh().then(() => {
  remember();
  if (state.place.kind === 'app' && state.place.tab === 'home') openHome();
  listen();
});
