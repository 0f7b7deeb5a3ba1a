// The console's shell: routes (#/, #/new, #/sessions/{id}), the API key form, and focus on each page's heading
// so keyboard and screen-reader users land where the page changed. Each page gets an AbortSignal that ends its
// requests, streams and timers when another page is shown.

import { apiKey, keyNeeded } from './api.js';
import { h, show } from './dom.js';
import { sessionsPage } from './sessions-page.js';
import { newSessionPage } from './new-session-page.js';
import { sessionPage } from './session-page.js';

const main = document.getElementById('main');
const keyArea = document.getElementById('key-area');
let page = null;
let routed = false; // the first page keeps the browser's own focus

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return; // an in-page link (the skip link): not a page
  page?.abort();
  page = new AbortController();
  const session = /^#\/sessions\/([^/]+)$/.exec(hash);
  if (hash === '#/new') newSessionPage(main, page.signal, navigate);
  else if (session) sessionPage(main, page.signal, decodeURIComponent(session[1]));
  else sessionsPage(main, page.signal);
  for (const a of document.querySelectorAll('nav a')) {
    if (a.getAttribute('href') === hash) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${main.querySelector('h1')?.textContent ?? 'Console'} · AgentCluster`;
  if (routed) main.querySelector('h1')?.focus();
  routed = true;
}

// The key is asked for only when the node answers 401, and kept for this tab only (sessionStorage).
function renderKey(asked) {
  if (apiKey.get() && !asked) {
    show(keyArea, h('button', { type: 'button', class: 'link', onclick: () => { apiKey.clear(); renderKey(false); } }, 'Forget API key'));
    return;
  }
  if (!asked) { show(keyArea); return; }
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  show(keyArea, h('form', { class: 'key-form', 'aria-label': 'API key', onsubmit: event => {
    event.preventDefault();
    if (!input.value.trim()) return input.focus();
    apiKey.set(input.value.trim());
    renderKey(false);
    route();
  } },
  h('label', { for: 'api-key' }, apiKey.get() ? 'That API key was refused: API key' : 'This node needs an API key'), ' ', input, ' ', h('button', { type: 'submit' }, 'Use key')));
  input.focus();
}

keyNeeded.addEventListener('needed', () => { if (!document.getElementById('api-key')) renderKey(true); });
window.addEventListener('hashchange', route);
renderKey(false);
route();
