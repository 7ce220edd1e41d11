// Where the user is (a channel, the app's Home or Messages tab, the App Engine panel), kept in
// the URL.

import { post } from './api.js';
import { toast } from './dom.js';
import { render, state } from './state.js';

export function remember() {
  const p = new URLSearchParams();
  p.set('user', state.userId);
  if (state.place.kind === 'app') p.set('place', state.place.tab);
  else if (state.place.kind === 'app-engine') p.set('place', 'app-engine');
  else if (state.place.id) p.set('channel', state.place.id);
  history.replaceState(null, '', `?${p}`);
}

export function go(place) {
  state.place = place;
  state.thread = null;
  remember();
  if (place.kind === 'app' && place.tab === 'home') openHome();
  render();
}

export function openHome() {
  post('home', {}).then((answer) => {
    if (!answer.ok) toast(`The app did not answer app_home_opened (${answer.error}).`);
  });
}
