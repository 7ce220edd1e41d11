// The sidebar, the header of the place shown and what it shows: a channel's timeline, the
// app's Home tab, or the App Engine panel (services.js).

import { blocks } from './blocks.js';
import { prefill } from './composer.js';
import { $, h, setChildren } from './dom.js';
import { renderTimeline } from './messages.js';
import { go } from './navigation.js';
import { renderServices } from './services.js';
import { state } from './state.js';

export function renderSidebar() {
  const data = state.data;
  const here = state.place;
  const dm = appChannel();
  const item = (attrs, icon, label, active) =>
    h(
      'button',
      { type: 'button', class: `nav-item${active ? ' active' : ''}`, ...attrs },
      h('span', { class: 'nav-icon' }, icon),
      label,
    );
  setChildren(
    $('sidebar'),
    h('div', { class: 'nav-section' }, 'Channels'),
    data.channels
      .filter((c) => c.kind === 'channel')
      .map((c) =>
        item(
          {
            'data-testid': 'nav-channel',
            'data-channel': c.id,
            onclick: () => go({ kind: 'channel', id: c.id }),
          },
          '#',
          c.name,
          here.kind === 'channel' && here.id === c.id,
        ),
      ),
    h('div', { class: 'nav-section' }, 'Apps'),
    item(
      {
        'data-testid': 'nav-app',
        'data-channel': dm.id,
        onclick: () => go({ kind: 'app', tab: 'home' }),
      },
      h('span', { class: 'app-dot' }),
      data.app.name,
      here.kind === 'app',
    ),
    data.services && h('div', { class: 'nav-section' }, 'Google Cloud'),
    data.services &&
      item(
        { 'data-testid': 'nav-app-engine', onclick: () => go({ kind: 'app-engine' }) },
        '▲',
        'App Engine',
        here.kind === 'app-engine',
      ),
    h(
      'div',
      { class: 'nav-footer' },
      'Signed in as ',
      h('strong', {}, data.me.name),
      h('br'),
      data.me.role === 'approver' ? 'Playground approver' : 'Partner',
    ),
  );
}

const appChannel = () => state.data.channels.find((c) => c.kind === 'app');
/** The channel shown; the App Engine panel has none. */
export const currentChannel = () =>
  state.place.kind === 'app'
    ? appChannel()
    : state.data.channels.find((c) => c.id === state.place.id);

export function renderMain() {
  const data = state.data;
  const header = $('main-header');
  const body = $('main-body');
  const composer = $('composer');
  const channel = currentChannel();
  if (state.place.kind === 'app-engine') {
    composer.hidden = true;
    body.classList.remove('home');
    renderServices(header, body);
    return;
  }
  if (state.place.kind === 'app') {
    const tab = (name, label) =>
      h(
        'button',
        {
          type: 'button',
          class: `tab${state.place.tab === name ? ' active' : ''}`,
          'data-testid': `tab-${name}`,
          onclick: () => go({ kind: 'app', tab: name }),
        },
        label,
      );
    setChildren(
      header,
      h(
        'div',
        { class: 'title' },
        h('span', { class: 'app-dot app-dot-lg' }),
        data.app.name,
        h('span', { class: 'app-badge' }, 'APP'),
      ),
      h(
        'div',
        { class: 'tabs', role: 'tablist' },
        tab('home', 'Home'),
        tab('messages', 'Messages'),
      ),
    );
  } else {
    setChildren(
      header,
      h('div', { class: 'title' }, h('span', { class: 'hash' }, '#'), channel.name),
      h(
        'div',
        { class: 'subtitle' },
        channel.id === data.reviewChannel ? 'Where the Playground team reviews submissions' : '',
      ),
    );
  }
  const home = state.place.kind === 'app' && state.place.tab === 'home';
  composer.hidden = home;
  body.classList.toggle('home', home);
  if (home) {
    renderHome(body);
    return;
  }
  body.querySelector('.home-surface')?.remove();
  const input = composer.querySelector('input');
  const where = channel.kind === 'app' ? data.app.name : `#${channel.name}`;
  input.placeholder = `Message ${where} · type ${data.commands[0]} help`;
  setChildren(
    composer.querySelector('.composer-hint'),
    'Try ',
    ['submit', 'status PG-0001', 'list', 'help'].map((sub) =>
      h(
        'button',
        { type: 'button', class: 'chip', onclick: () => prefill(`${data.commands[0]} ${sub}`) },
        `${data.commands[0]} ${sub}`,
      ),
    ),
  );
  renderTimeline(body, channel);
}

function renderHome(body) {
  const home = state.data.home;
  let surface = body.querySelector('.home-surface');
  if (!surface) {
    body.replaceChildren();
    surface = h('div', { class: 'home-surface', 'data-testid': 'home' });
    body.append(surface);
  }
  const sig = JSON.stringify(home);
  if (surface.dataset.sig === sig) return;
  surface.dataset.sig = sig;
  setChildren(
    surface,
    home
      ? blocks(home.blocks, { container: { type: 'view', viewId: home.id }, viewId: home.id })
      : h('div', { class: 'empty' }, `Opening ${state.data.app.name}'s Home…`),
  );
}
