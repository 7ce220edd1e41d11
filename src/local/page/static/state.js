// What the page shows and for whom, kept across re-renders, and render() to draw it again.

const params = new URLSearchParams(location.search);
export const state = {
  userId: params.get('user') ?? '',
  /** { kind: 'channel', id }, { kind: 'app', tab: 'home' | 'messages' } or { kind: 'app-engine' } */
  place:
    params.get('place') === 'home' || params.get('place') === 'messages'
      ? { kind: 'app', tab: params.get('place') }
      : params.get('place') === 'app-engine'
        ? { kind: 'app-engine' }
        : { kind: 'channel', id: params.get('channel') ?? '' },
  thread: null,
  data: null,
  /** viewId -> { blockId: value } typed into modals, kept across re-renders. */
  drafts: new Map(),
  /** viewId -> errors from the page's own checks. */
  localErrors: new Map(),
  /** Slackbot's answers that never reached the app ("/x is not a valid command"). */
  notices: [],
  dismissed: new Set(),
  modalBanner: null,
};

let renderer = () => {};

/**
 * Draws the whole page from `state` again. page.js installs the drawing with setRenderer(),
 * so that the modules that change state need not import every view.
 */
export function render() {
  renderer();
}

export function setRenderer(draw) {
  renderer = draw;
}
