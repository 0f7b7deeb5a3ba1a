// The new-session form: a preset (GET /presets) or a runtime, the prompt, and where and on what it runs.
// Only the fields filled in are sent; the node's ProblemDetails come back next to the field they name.

import { call, ApiError } from './api.js';
import { h, show, notice } from './dom.js';

const Runtimes = [['', 'the preset’s, or shell'], ['shell', 'shell: each message is a bash script'],
  ['anthropic', 'anthropic: a coding agent on the Messages API'], ['claude-code', 'claude-code: the Claude Code CLI']];
const Tiers = [['', 'the preset’s, or the default'], ['small', 'small (shared, 1 CPU, 512 MB)'],
  ['medium', 'medium (shared, 2 CPUs, 2 GB)'], ['large', 'large (performance, 2 CPUs, 4 GB)']];

// The request's field a ProblemDetails names (its "field", or a JSON path) → the form's input.
const Inputs = { prompt: 'prompt', preset: 'preset', runtime: 'runtime', tier: 'tier', region: 'region', session_id: 'session-id',
  workspace: 'workspace', 'workspace.name': 'workspace', repository: 'repository-url', 'repository.url': 'repository-url', 'repository.branch': 'repository-branch' };

function field(id, label, control, hint) {
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

const select = (id, options) => h('select', { id, name: id }, options.map(([value, text]) => h('option', { value }, text)));

export function newSessionPage(main, signal, navigate) {
  const preset = h('select', { id: 'preset', name: 'preset' }, h('option', { value: '' }, 'none'));
  const presetAbout = h('p', { class: 'hint', id: 'preset-hint', 'aria-live': 'polite' });
  preset.setAttribute('aria-describedby', 'preset-hint');
  const prompt = h('textarea', { id: 'prompt', name: 'prompt', rows: '6', required: true });
  const runtime = select('runtime', Runtimes);
  const tier = select('tier', Tiers);
  const region = h('input', { id: 'region', name: 'region', autocomplete: 'off', placeholder: 'iad' });
  const sessionId = h('input', { id: 'session-id', name: 'session-id', autocomplete: 'off', pattern: '[A-Za-z0-9_-]{1,64}' });
  const workspace = h('input', { id: 'workspace', name: 'workspace', autocomplete: 'off' });
  const repoUrl = h('input', { id: 'repository-url', name: 'repository-url', type: 'url', autocomplete: 'off', placeholder: 'https://github.com/owner/repo.git' });
  const repoBranch = h('input', { id: 'repository-branch', name: 'repository-branch', autocomplete: 'off' });
  const result = h('div', { class: 'form-result' });
  const submit = h('button', { type: 'submit' }, 'Start session');
  let presets = [];

  const form = h('form', { class: 'new-session', 'aria-labelledby': 'new-title', novalidate: true, onsubmit: start },
    field('preset', 'Preset', preset), presetAbout,
    field('prompt', 'Prompt', prompt, 'The first turn: a task for an agent, or a script for the shell runtime.'),
    h('div', { class: 'row' }, field('runtime', 'Runtime', runtime), field('tier', 'Machine tier', tier)),
    h('div', { class: 'row' }, field('region', 'Region', region, 'A Fly region; empty for the node’s default.'),
      field('session-id', 'Session id', sessionId, 'Optional: letters, digits, _ and -. The same id again returns the same session.')),
    h('fieldset', {}, h('legend', {}, 'Workspace and repository'),
      field('workspace', 'Workspace name', workspace, 'Optional: a persistent volume kept across sessions.'),
      h('div', { class: 'row' }, field('repository-url', 'Repository URL', repoUrl), field('repository-branch', 'Branch', repoBranch))),
    result,
    h('p', {}, submit));

  show(main, h('h1', { id: 'new-title', tabindex: '-1' }, 'New session'), form);

  preset.addEventListener('change', () => {
    const chosen = presets.find(p => p.id === preset.value);
    show(presetAbout, chosen ? `${chosen.description ?? chosen.name ?? chosen.id} (runtime ${chosen.runtime ?? 'shell'}${chosen.tier ? `, tier ${chosen.tier}` : ''})` : '');
  });

  call('/presets', { signal }).then(list => {
    presets = list.presets;
    preset.append(...presets.map(p => h('option', { value: p.id }, p.name ? `${p.name} (${p.id})` : p.id)));
  }).catch(error => { if (!signal.aborted) show(presetAbout, notice(`Presets could not be loaded: ${error.message}`, 'error')); });

  async function start(event) {
    event.preventDefault();
    for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    if (!prompt.value.trim()) return refuse('prompt', 'A prompt is required.');
    const body = { prompt: prompt.value };
    const set = (name, value) => { if (value.trim()) body[name] = value.trim(); };
    set('preset', preset.value); set('runtime', runtime.value); set('tier', tier.value);
    set('region', region.value); set('session_id', sessionId.value);
    if (workspace.value.trim()) body.workspace = { name: workspace.value.trim() };
    if (repoUrl.value.trim()) body.repository = { url: repoUrl.value.trim(), branch: repoBranch.value.trim() || null };
    submit.disabled = true;
    show(result, notice('Starting…'));
    try {
      const session = await call('/sessions', { method: 'POST', json: body, signal });
      navigate(`#/sessions/${encodeURIComponent(session.session_id)}`);
    } catch (error) {
      if (signal.aborted) return;
      refuse(error instanceof ApiError ? error.field : null, error.message);
    } finally {
      submit.disabled = false;
    }
  }

  function refuse(name, message) {
    show(result, notice(message, 'error'));
    const input = name && form.querySelector(`#${Inputs[name] ?? Inputs[String(name).replace(/^\$\./, '')] ?? 'prompt'}`);
    if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
  }
}
