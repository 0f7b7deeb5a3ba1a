// A session: what it is and costs, its events as a conversation (live, resumed after a disconnect), a message
// box, interrupt / restart / delete, and its workspace's files and an exec box.

import { call, sessionPath } from './api.js';
import { h, show, notice } from './dom.js';
import { duration, usd, when, statusClass, isTerminated } from './format.js';
import { followEvents } from './sse.js';
import { Conversation } from './conversation.js';
import { filesPanel } from './files-panel.js';
import { execPanel } from './exec-panel.js';

const RefreshMs = 10_000;
const LinkWords = { live: 'Live', reconnecting: 'Reconnecting…', ended: 'Ended: the session is terminated', gone: 'The session is gone' };

export function sessionPage(main, signal, id) {
  let session = null;
  let timer = null;
  const facts = h('dl', { class: 'facts' });
  const badge = h('span', { class: 'badge' }, '…');
  const link = h('p', { class: 'link-state', role: 'status' }, 'Connecting…');
  const actionsResult = h('div', { class: 'action-result' });
  const log = h('div', { class: 'conversation', role: 'log', 'aria-live': 'polite', 'aria-labelledby': 'conversation-title' });
  const conversation = new Conversation(log);
  const message = h('textarea', { id: 'message', name: 'message', rows: '3' });
  const send = h('button', { type: 'submit' }, 'Send');
  const sendResult = h('div', { class: 'form-result' });
  const interrupt = h('button', { type: 'button', class: 'secondary', onclick: () => act('interrupt', 'Interrupt asked: the running turn stops.') }, 'Interrupt');
  const restart = h('button', { type: 'button', class: 'secondary', onclick: () => act('restart', 'Restarting on a new machine.') }, 'Restart');
  const remove = h('button', { type: 'button', class: 'danger', onclick: () => confirmDelete.showModal() }, 'Delete');
  const confirmDelete = h('dialog', { 'aria-labelledby': 'delete-title', class: 'confirm' },
    h('form', { method: 'dialog' },
      h('h2', { id: 'delete-title' }, `Delete session ${id}?`),
      h('p', {}, 'Its machine is destroyed and the session ends. Its event log stays readable.'),
      h('p', { class: 'buttons' }, h('button', { value: 'cancel', class: 'secondary', autofocus: true }, 'Cancel'), ' ', h('button', { value: 'delete', class: 'danger' }, 'Delete session'))));
  confirmDelete.addEventListener('close', () => { if (confirmDelete.returnValue === 'delete') deleteSession(); });

  show(main,
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, h('span', { class: 'visually-hidden' }, 'Session '), id), badge),
    facts,
    h('div', { class: 'actions', role: 'group', 'aria-label': 'Session actions' }, interrupt, ' ', restart, ' ', remove),
    actionsResult,
    h('section', { class: 'panel', 'aria-labelledby': 'conversation-title' }, h('h2', { id: 'conversation-title' }, 'Conversation'), link, log),
    h('form', { class: 'send', 'aria-label': 'Send a message', onsubmit: sendMessage },
      h('label', { for: 'message' }, 'Message'), message,
      h('p', { class: 'hint', id: 'message-hint' }, 'Queued as the next turn. Ctrl+Enter sends.'), sendResult, h('p', {}, send)),
    filesPanel(id, signal),
    execPanel(id, signal),
    confirmDelete);
  message.setAttribute('aria-describedby', 'message-hint');
  message.addEventListener('keydown', e => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); sendMessage(e); } });

  function fact(term, value) { return [h('dt', {}, term), h('dd', {}, value ?? '–')]; }

  function renderSession() {
    badge.className = statusClass(session.status);
    badge.textContent = session.reason ? `${session.status} (${session.reason})` : session.status;
    show(facts,
      fact('Runtime', session.runtime), fact('Preset', session.preset), fact('Region', session.region), fact('Machine', session.machine_id),
      fact('Workspace', session.workspace), fact('Turns', session.turns), fact('Machine time', duration(session.machine_seconds)),
      fact('Cost', `${usd(session.cost_usd)} machine + ${usd(session.model_cost_usd)} model`), fact('Created', when(session.created_at)));
    const over = isTerminated(session);
    for (const control of [interrupt, restart, remove, send, message]) control.disabled = over;
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      session = await call(sessionPath(id), { signal });
      renderSession();
    } catch (error) {
      if (signal.aborted) return;
      show(actionsResult, notice(error.message, 'error'));
    }
    if (!signal.aborted && !isTerminated(session)) timer = setTimeout(refresh, RefreshMs);
  }
  signal.addEventListener('abort', () => clearTimeout(timer));

  async function act(verb, said) {
    try {
      await call(sessionPath(id, `/${verb}`), { method: 'POST', signal });
      show(actionsResult, notice(said));
    } catch (error) {
      if (!signal.aborted) show(actionsResult, notice(error.message, 'error'));
    }
  }

  async function deleteSession() {
    try {
      await call(sessionPath(id), { method: 'DELETE', signal });
      show(actionsResult, notice('Deleted: the session is terminated.'));
      refresh();
    } catch (error) {
      if (!signal.aborted) show(actionsResult, notice(error.message, 'error'));
    }
  }

  async function sendMessage(event) {
    event.preventDefault();
    if (!message.value.trim()) { show(sendResult, notice('Write a message first.', 'error')); message.focus(); return; }
    send.disabled = true;
    try {
      const sent = await call(sessionPath(id, '/messages'), { method: 'POST', json: { content: message.value }, signal });
      message.value = '';
      show(sendResult, notice(`Sent as turn ${sent.turn}.`));
    } catch (error) {
      if (!signal.aborted) show(sendResult, notice(error.message, 'error'));
    } finally {
      send.disabled = isTerminated(session);
    }
  }

  refresh();
  followEvents(id, {
    signal,
    onEvent: event => {
      const atBottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 40;
      conversation.add(event);
      log.dataset.lastSeq = String(event.seq);
      if (event.type === 'session.status' || event.type === 'turn.completed') refresh();
      if (atBottom && log.lastElementChild) log.lastElementChild.scrollIntoView({ block: 'nearest' });
    },
    onState: (state, error) => {
      link.dataset.state = state;
      show(link, error && state !== 'reconnecting' ? `${LinkWords[state]}: ${error.message}` : LinkWords[state]);
    },
  });
}
