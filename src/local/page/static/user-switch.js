// "View as": the buttons that switch between the page's users.

import { refresh } from './api.js';
import { $, h, setChildren } from './dom.js';
import { openHome, remember } from './navigation.js';
import { state } from './state.js';
import { initial } from './text.js';

export function renderSwitch() {
  const data = state.data;
  setChildren(
    $('user-switch'),
    h('span', { class: 'switch-label' }, 'View as'),
    data.users.map((u) =>
      h(
        'button',
        {
          type: 'button',
          role: 'radio',
          class: `switch-user${u.id === data.me.id ? ' active' : ''}`,
          'aria-checked': String(u.id === data.me.id),
          'data-user': u.id,
          'data-testid': `switch-${u.role}`,
          onclick: () => {
            if (u.id === state.userId) return;
            state.userId = u.id;
            state.thread = null;
            remember();
            refresh();
            if (state.place.kind === 'app' && state.place.tab === 'home') openHome();
          },
        },
        h('span', { class: 'avatar avatar-sm', style: `--hue:${hue(u.id)}` }, initial(u.name)),
        h('span', { class: 'switch-name' }, u.name),
        h('span', { class: `role role-${u.role}` }, u.role),
      ),
    ),
  );
}

const hue = (id) => [...id].reduce((sum, c) => sum + c.charCodeAt(0) * 7, 0) % 360;
