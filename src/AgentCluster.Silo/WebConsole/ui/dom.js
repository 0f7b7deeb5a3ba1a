// Builds DOM nodes from trusted structure and untrusted text: strings become text nodes, never markup.
// Only markdown.js inserts HTML, and only what DOMPurify has sanitised.

/** h('a', { href: '#/', class: 'x', onclick: f }, 'text', child, [more]) */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces what an element shows. */
export function show(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A message in a live region (role=status, or role=alert for errors), which screen readers announce. */
export function notice(text, kind = 'info') {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}
