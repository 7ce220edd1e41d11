// Calls to the page's server (POST /command, /action, /submit, /close, /home) and live
// updates: every change in the stand-in arrives as a Server-Sent Event and triggers a re-fetch
// of GET /state.

import { render, state } from './state.js';

export async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: state.userId, ...body }),
  });
  const answer = await response.json().catch(() => ({ ok: false, error: 'bad_answer' }));
  if (!response.ok && answer.ok !== false) answer.ok = false;
  return answer;
}

let refreshing = null;
let again = false;

export async function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      const response = await fetch(`state?user=${encodeURIComponent(state.userId)}`);
      if (response.ok) {
        state.data = await response.json();
        if (!state.userId) state.userId = state.data.me.id;
        render();
      } else if (response.status === 400 && state.userId) {
        // Not one of the page's users: fall back to the first one.
        state.userId = '';
        again = true;
      }
    } while (again);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export function listen() {
  const source = new EventSource('events');
  source.onmessage = () => refresh();
  source.onopen = () => refresh();
}
