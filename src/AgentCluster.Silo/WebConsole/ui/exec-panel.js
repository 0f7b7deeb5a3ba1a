// Runs one command in the session's machine (POST /sessions/{id}/exec) and shows its exit code and output.

import { call, sessionPath } from './api.js';
import { h, show, notice } from './dom.js';

export function execPanel(id, signal) {
  const command = h('input', { id: 'exec-command', name: 'exec-command', autocomplete: 'off', spellcheck: 'false', placeholder: 'git status' });
  const run = h('button', { type: 'submit', class: 'secondary' }, 'Run');
  const result = h('div', { class: 'exec-result', 'aria-live': 'polite' });
  const panel = h('details', { class: 'panel tools-panel' },
    h('summary', {}, 'Exec'),
    h('form', { class: 'exec', onsubmit: execute },
      h('label', { for: 'exec-command' }, 'Command (bash -lc, in the workspace)'), h('div', { class: 'inline' }, command, run)),
    result);

  async function execute(event) {
    event.preventDefault();
    if (!command.value.trim()) { show(result, notice('Write a command first.', 'error')); command.focus(); return; }
    run.disabled = true;
    show(result, notice('Running…'));
    try {
      const answer = await call(sessionPath(id, '/exec'), { method: 'POST', json: { command: command.value }, signal });
      const notes = [answer.timed_out ? 'timed out' : null, answer.truncated ? 'output truncated' : null, answer.via ? `via ${answer.via}` : null, `${answer.duration_ms} ms`];
      show(result,
        h('p', { class: answer.exit_code === 0 ? 'exit ok' : 'exit bad' }, `Exit code ${answer.exit_code}`, ` (${notes.filter(Boolean).join(', ')})`),
        h('pre', { class: 'output', 'aria-label': 'Command output' },
          answer.stdout ? h('span', { class: 'stdout' }, answer.stdout) : null,
          answer.stderr ? h('span', { class: 'stderr' }, answer.stderr) : null));
    } catch (error) {
      if (!signal.aborted) show(result, notice(error.message, 'error'));
    } finally {
      run.disabled = false;
    }
  }

  return panel;
}
