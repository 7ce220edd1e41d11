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
    data.users.map((u, i) =>
      h(
        'button',
        {
          type: 'button',
          role: 'radio',
          class: `switch-user${u.id === data.me.id ? ' active' : ''}`,
          'aria-checked': String(u.id === data.me.id),
          'data-user': u.id,
          'data-testid': switchTestId(data.users, i),
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

/** `switch-partner` for the first partner, `switch-partner-2` for the second, … */
function switchTestId(users, index) {
  const role = users[index].role;
  const nth = users.slice(0, index + 1).filter((u) => u.role === role).length;
  return nth === 1 ? `switch-${role}` : `switch-${role}-${nth}`;
}

const hue = (id) => [...id].reduce((sum, c) => sum + c.charCodeAt(0) * 7, 0) % 360;
