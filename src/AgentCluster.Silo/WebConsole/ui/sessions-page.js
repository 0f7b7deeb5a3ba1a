// The sessions page: the caller's sessions, newest first, a page at a time (next_cursor), refreshed every few
// seconds while shown, with a filter over what is loaded.

import { call, ApiError } from './api.js';
import { h, show, notice } from './dom.js';
import { duration, usd, when, statusClass } from './format.js';

const PageSize = 20;
const RefreshMs = 5000;
const Statuses = ['starting', 'running', 'idle', 'sleeping', 'terminated'];

export function sessionsPage(main, signal) {
  let pages = 1;
  let sessions = [];
  let nextCursor = null;
  let timer = null;

  const filterText = h('input', { id: 'filter-text', type: 'search', autocomplete: 'off', placeholder: 'id, runtime, region…' });
  const filterStatus = h('select', { id: 'filter-status' }, h('option', { value: '' }, 'any'), Statuses.map(s => h('option', { value: s }, s)));
  const body = h('tbody');
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', onclick: () => { pages += 1; load(); } }, 'Load more');

  show(main,
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, 'Sessions'), h('a', { class: 'button', href: '#/new' }, 'New session')),
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter sessions', onsubmit: e => e.preventDefault() },
      h('div', { class: 'field' }, h('label', { for: 'filter-text' }, 'Filter'), filterText),
      h('div', { class: 'field' }, h('label', { for: 'filter-status' }, 'Status'), filterStatus)),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'sessions' },
        h('caption', { class: 'visually-hidden' }, 'Your sessions, newest first'),
        h('thead', {}, h('tr', {}, ['Session', 'Status', 'Runtime', 'Region', 'Machine time', 'Cost', 'Created'].map(c => h('th', { scope: 'col' }, c)))),
        body)),
    status,
    h('p', {}, more));

  filterText.addEventListener('input', render);
  filterStatus.addEventListener('change', render);

  function matches(session) {
    const text = filterText.value.trim().toLowerCase();
    if (filterStatus.value && session.status !== filterStatus.value) return false;
    if (!text) return true;
    return [session.session_id, session.runtime, session.region, session.preset, session.workspace, session.status]
      .some(v => v && String(v).toLowerCase().includes(text));
  }

  function render() {
    const shown = sessions.filter(matches);
    show(body, shown.map(s => h('tr', { 'data-session': s.session_id },
      h('th', { scope: 'row', 'data-label': 'Session' }, h('a', { href: `#/sessions/${encodeURIComponent(s.session_id)}` }, s.session_id)),
      h('td', { 'data-label': 'Status' }, h('span', { class: statusClass(s.status) }, s.status), s.reason ? ` (${s.reason})` : ''),
      h('td', { 'data-label': 'Runtime' }, s.runtime ?? '–'),
      h('td', { 'data-label': 'Region' }, s.region ?? '–'),
      h('td', { 'data-label': 'Machine time' }, duration(s.machine_seconds)),
      h('td', { 'data-label': 'Cost' }, usd(Number(s.cost_usd ?? 0) + Number(s.model_cost_usd ?? 0))),
      h('td', { 'data-label': 'Created' }, h('time', { datetime: s.created_at }, when(s.created_at))))));
    const hidden = sessions.length - shown.length;
    show(status, sessions.length === 0 ? 'No sessions yet.' : `${shown.length} shown${hidden ? `, ${hidden} filtered out` : ''}.`);
    more.hidden = !nextCursor;
  }

  // Reloads every page shown so far, so a refresh neither drops loaded pages nor shows one session twice.
  async function load() {
    clearTimeout(timer);
    try {
      const loaded = [];
      let cursor = null;
      for (let page = 0; page < pages; page++) {
        const query = new URLSearchParams({ limit: String(PageSize) });
        if (cursor) query.set('cursor', cursor);
        const list = await call(`/sessions?${query}`, { signal });
        loaded.push(...list.sessions);
        cursor = list.sessions.length < PageSize ? null : list.next_cursor; // a short page is the last
        if (!cursor) break;
      }
      sessions = loaded;
      nextCursor = cursor;
      render();
    } catch (error) {
      if (signal.aborted) return;
      show(status, notice(error instanceof ApiError ? error.message : `Could not load the sessions: ${error.message}`, 'error'));
      if (error.status === 401) return; // until a key is given, which shows this page again
    }
    if (!signal.aborted) timer = setTimeout(load, RefreshMs);
  }
  signal.addEventListener('abort', () => clearTimeout(timer));
  load();
}
