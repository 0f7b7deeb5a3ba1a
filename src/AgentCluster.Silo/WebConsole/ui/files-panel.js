// The session's workspace files: browse folders, download a file, upload one into the folder shown. Folded until
// opened, as listing wakes a sleeping session's machine.

import { call, sessionPath } from './api.js';
import { h, show, notice } from './dom.js';
import { when } from './format.js';

const filePath = path => path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
const join = (folder, name) => (folder ? `${folder}/${name}` : name);

function size(bytes) {
  if (bytes === null || bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function filesPanel(id, signal) {
  let folder = '';
  let opened = false;
  const where = h('p', { class: 'path' });
  const body = h('tbody');
  const result = h('div', { class: 'form-result' });
  const upload = h('input', { id: 'upload-file', type: 'file' });
  const panel = h('details', { class: 'panel tools-panel' },
    h('summary', {}, 'Workspace files'),
    where,
    h('div', { class: 'table-wrap' }, h('table', { class: 'files' },
      h('caption', { class: 'visually-hidden' }, 'Files of the folder shown'),
      h('thead', {}, h('tr', {}, ['Name', 'Size', 'Modified'].map(c => h('th', { scope: 'col' }, c)))), body)),
    h('form', { class: 'upload', onsubmit: send },
      h('label', { for: 'upload-file' }, 'Upload a file into this folder'), upload, ' ', h('button', { type: 'submit', class: 'secondary' }, 'Upload')),
    result);
  panel.addEventListener('toggle', () => { if (panel.open && !opened) { opened = true; list(''); } });

  async function list(path) {
    show(result, notice('Loading…'));
    try {
      const listing = await call(`${sessionPath(id, '/files')}?${new URLSearchParams({ path })}`, { signal });
      folder = listing.path === '.' ? '' : listing.path.replace(/^\.\/?/, '');
      renderPath();
      const entries = [...listing.entries].sort((a, b) => (b.type === 'directory') - (a.type === 'directory') || a.name.localeCompare(b.name));
      show(body,
        folder ? h('tr', {}, h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => list(folder.split('/').slice(0, -1).join('/')) }, '.. (up)')), h('td'), h('td')) : null,
        entries.map(entry => h('tr', {},
          h('td', {}, entry.type === 'directory'
            ? h('button', { type: 'button', class: 'link', onclick: () => list(join(folder, entry.name)), 'aria-label': `Open folder ${entry.name}` }, `${entry.name}/`)
            : entry.type === 'file'
              ? h('button', { type: 'button', class: 'link', onclick: () => download(entry.name), 'aria-label': `Download ${entry.name}` }, entry.name)
              : `${entry.name} (${entry.type})`),
          h('td', {}, size(entry.size)),
          h('td', {}, when(entry.modified)))));
      show(result, entries.length ? '' : notice('This folder is empty.'));
    } catch (error) {
      if (!signal.aborted) show(result, notice(error.message, 'error'));
    }
  }

  function renderPath() {
    show(where, 'Folder: ', h('code', {}, `/${folder}`));
  }

  async function download(name) {
    try {
      const response = await call(sessionPath(id, `/files/${filePath(join(folder, name))}`), { signal, raw: true });
      const url = URL.createObjectURL(await response.blob());
      const anchor = h('a', { href: url, download: name, hidden: true });
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000); // after the browser has taken the download
      show(result, notice(`Downloaded ${name}.`));
    } catch (error) {
      if (!signal.aborted) show(result, notice(error.message, 'error'));
    }
  }

  async function send(event) {
    event.preventDefault();
    const file = upload.files?.[0];
    if (!file) { show(result, notice('Choose a file first.', 'error')); upload.focus(); return; }
    try {
      const written = await call(sessionPath(id, `/files/${filePath(join(folder, file.name))}`),
        { method: 'PUT', body: file, headers: { 'Content-Type': 'application/octet-stream' }, signal });
      upload.value = '';
      await list(folder);
      show(result, notice(`Uploaded ${written.path} (${size(written.size)}).`));
    } catch (error) {
      if (!signal.aborted) show(result, notice(error.message, 'error'));
    }
  }

  return panel;
}
