// A session's events as a conversation: the user's messages, the agent's text as Markdown (streamed fragments
// shown as plain text until the whole block arrives), command output, tool calls folded with their input and
// result, turn ends, warnings and errors marked in words as well as colour. Everything is text or sanitised.

import { h } from './dom.js';
import { markdown } from './markdown.js';
import { usd } from './format.js';

const Bad = new Set(['error', 'failed', 'timeout', 'max_turns']);

export class Conversation {
  constructor(container) {
    this.container = container;
    this.tools = new Map();   // tool_use id → its <details>
    this.draft = null;        // the streamed text of the block being generated
    this.output = null;       // the <pre> that consecutive stdout/stderr of a turn go to
  }

  add(event) {
    const payload = event.payload ?? {};
    const render = this[event.type];
    if (event.type !== 'agent.output' || payload.stream === 'text') this.output = null;
    if (render) render.call(this, payload, event);
    else this.put(h('p', { class: 'line muted' }, `${event.type}`));
  }

  put(element) {
    this.container.append(element);
    return element;
  }

  'session.status'(payload) {
    const words = [`Session ${payload.status}`];
    if (payload.reason) words.push(`(${payload.reason})`);
    if (payload.queue_position !== undefined && payload.queue_position !== null) words.push(`, ${payload.queue_position} ahead in the create queue`);
    this.put(h('p', { class: `line muted status-line`, 'data-status': payload.status }, words.join(' ')));
  }

  'user.message'(payload, event) {
    this.put(h('section', { class: 'message user', 'aria-label': `Your message, turn ${event.turn}` },
      h('h3', { class: 'who' }, 'You'),
      h('div', { class: 'text plain' }, payload.content)));
  }

  'agent.output'(payload, event) {
    if (payload.stream === 'text') return this.text(payload, event);
    if (!this.output || this.output.dataset.turn !== String(event.turn)) {
      this.output = this.put(h('pre', { class: 'output', 'data-turn': event.turn, 'aria-label': `Output, turn ${event.turn}` }));
    }
    const line = h('span', { class: payload.stream === 'stderr' ? 'stderr' : 'stdout' }, payload.text.endsWith('\n') ? payload.text : `${payload.text}\n`);
    this.output.append(line);
  }

  text(payload) {
    if (payload.delta) {
      if (!this.draft) this.draft = this.put(h('section', { class: 'message agent drafting', 'aria-busy': 'true' },
        h('h3', { class: 'who' }, 'Agent'), h('div', { class: 'text plain' })));
      this.draft.querySelector('.text').append(payload.text);
      return;
    }
    const block = h('section', { class: 'message agent' }, h('h3', { class: 'who' }, 'Agent'), h('div', { class: 'text markdown' }, markdown(payload.text)));
    if (this.draft) { this.draft.replaceWith(block); this.draft = null; }
    else this.put(block);
  }

  'agent.tool_use'(payload) {
    const input = typeof payload.input === 'string' ? payload.input : JSON.stringify(payload.input, null, 2);
    const details = h('details', { class: 'tool' },
      h('summary', {}, h('span', { class: 'tool-name' }, `Tool: ${payload.name}`), ' ', h('span', { class: 'tool-brief' }, brief(payload.input)),
        ' ', h('span', { class: 'tool-state' }, '(running)')),
      h('h4', {}, 'Input'), h('pre', { class: 'tool-input' }, input));
    this.tools.set(payload.id, details);
    this.put(details);
  }

  'agent.tool_result'(payload) {
    const details = this.tools.get(payload.tool_use_id) ?? this.put(h('details', { class: 'tool' }, h('summary', {}, 'Tool result')));
    details.classList.toggle('failed', !!payload.is_error);
    const state = details.querySelector('.tool-state');
    if (state) state.textContent = payload.is_error ? '(error)' : '(done)';
    details.append(h('h4', {}, payload.is_error ? 'Result (error)' : 'Result'), h('pre', { class: 'tool-result' }, payload.content));
  }

  'turn.completed'(payload, event) {
    const bad = Bad.has(payload.outcome);
    const parts = [`Turn ${event.turn} ${payload.outcome}`];
    if (payload.exit_code !== undefined && payload.exit_code !== null) parts.push(`exit code ${payload.exit_code}`);
    if (payload.reason) parts.push(payload.reason);
    if (payload.cost_usd !== undefined && payload.cost_usd !== null) parts.push(`model ${usd(payload.cost_usd)}`);
    if (payload.denied_tools) parts.push(`${payload.denied_tools} tool calls denied`);
    if (this.draft) { this.draft.classList.remove('drafting'); this.draft.removeAttribute('aria-busy'); } // cut short: kept as streamed
    this.draft = null;
    this.put(h('p', { class: `line turn-end ${bad ? 'bad' : payload.outcome}`, 'data-turn': event.turn, 'data-outcome': payload.outcome },
      bad ? h('strong', {}, 'Failed: ') : null, parts.join(' · ')));
  }

  'session.exec'(payload) {
    const exit = payload.exit_code === undefined || payload.exit_code === null ? '' : ` → exit code ${payload.exit_code}`;
    this.put(h('p', { class: 'line muted' }, `exec (${payload.via}): ${payload.command}${exit}`));
  }

  'session.warning'(payload) {
    this.put(h('p', { class: 'callout warning', role: 'note' }, h('strong', {}, `Warning (${payload.kind}): `), payload.message));
  }

  'session.error'(payload) {
    this.put(h('p', { class: 'callout error', role: 'note' }, h('strong', {}, 'Error: '), payload.message));
  }
}

/** A tool call's input in one short line: its command or path, else its JSON, cut. */
function brief(input) {
  const value = typeof input === 'string' ? safeParse(input) : input;
  const text = value?.command ?? value?.file_path ?? value?.path ?? value?.pattern ?? JSON.stringify(value ?? '');
  const line = String(text).split('\n')[0];
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function safeParse(text) {
  try { return JSON.parse(text); } catch { return text; }
}
