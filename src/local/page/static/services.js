// The App Engine side of the local workspace: a panel per service with its URL (answered by
// whichever version its traffic split picks) and its versions: serving status, share of the
// traffic, the submission each came from, its own URL. Redrawn on each change of the
// stand-in, which arrives as an event like a Slack change.

import { h, setChildren } from './dom.js';
import { state } from './state.js';

export function renderServices(header, body) {
  const services = state.data.services ?? [];
  setChildren(
    header,
    h('div', { class: 'title' }, 'App Engine'),
    h('div', { class: 'subtitle' }, 'The services and versions the bot deployed, on this machine'),
  );
  setChildren(
    body,
    services.length === 0
      ? h('div', { class: 'empty' }, 'No versions yet: a submission that goes live shows here.')
      : h('div', { class: 'services', 'data-testid': 'services' }, services.map(servicePanel)),
  );
}

const link = (url, testid) =>
  h('a', { href: url, target: '_blank', rel: 'noopener', 'data-testid': testid }, url);

function servicePanel(s) {
  const shares = s.versions.filter((v) => v.traffic > 0).length;
  return h(
    'section',
    {
      class: 'service-panel',
      'data-testid': 'service-panel',
      'data-project': s.project,
      'data-service': s.service,
    },
    h(
      'div',
      { class: 'service-head' },
      h('span', { class: 'service-name' }, s.service),
      h('span', { class: 'service-project' }, s.project),
    ),
    h(
      'div',
      { class: 'service-url' },
      'Service URL: ',
      link(s.url, 'service-url'),
      shares > 1 ? h('span', { class: 'service-shard' }, ` · split by ${s.shardBy}`) : null,
    ),
    h(
      'table',
      { class: 'versions' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Version', 'Status', 'Traffic', 'Submission', 'Version URL'].map((t) => h('th', {}, t)),
        ),
      ),
      h('tbody', {}, s.versions.map(versionRow)),
    ),
  );
}

function versionRow(v) {
  const percent = `${Math.round(v.traffic * 100)}%`;
  return h(
    'tr',
    {
      class: v.traffic > 0 ? 'has-traffic' : '',
      'data-testid': 'version-row',
      'data-version': v.id,
      'data-status': v.servingStatus,
      'data-traffic': String(v.traffic),
    },
    h('td', { class: 'version-id' }, v.id),
    h(
      'td',
      {},
      h('span', { class: `status status-${v.servingStatus.toLowerCase()}` }, v.servingStatus),
    ),
    h('td', { class: 'version-traffic' }, percent),
    h('td', { class: 'version-submission' }, v.submission ?? '—'),
    h('td', {}, v.url ? link(v.url, 'version-url') : '—'),
  );
}
