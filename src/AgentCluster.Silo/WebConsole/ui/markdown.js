// Agent text is untrusted. Markdown is rendered by marked with any raw HTML in it shown as text, not parsed (which
// also keeps the page's CSP from ever seeing an inline handler or style), and the result is sanitised by DOMPurify
// into a fragment of plain document elements (no scripts, handlers, styles, forms, frames or images): a second
// line of defence, and all that is inserted.

import { Marked } from './vendor/marked.js';
import DOMPurify from './vendor/dompurify.js';

const escape = text => text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
const marked = new Marked({ gfm: true, async: false, renderer: { html: ({ text }) => escape(text) } });

const Allowed = {
  ALLOWED_TAGS: ['a', 'p', 'br', 'hr', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'input'],
  // 'input' only as a GFM task list's checkbox (made inert below); 'style' would break the page's CSP.
  ALLOWED_ATTR: ['href', 'title', 'type', 'checked', 'disabled', 'align', 'start'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  RETURN_DOM_FRAGMENT: true,
};

DOMPurify.addHook('afterSanitizeAttributes', node => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('rel', 'noopener noreferrer nofollow');
    node.setAttribute('target', '_blank');
  }
  if (node.tagName === 'INPUT') {
    if (node.getAttribute('type') !== 'checkbox') node.remove();
    else { node.setAttribute('disabled', ''); node.setAttribute('aria-label', 'task item'); }
  }
});

/** A DocumentFragment of the sanitised Markdown. */
export function markdown(text) {
  return DOMPurify.sanitize(marked.parse(text ?? ''), Allowed);
}
