// A session's event stream, read with fetch() because EventSource cannot send the Authorization header.
// Frames are parsed as the SSE specification says (fields, comments, CR/LF/CRLF line ends); after a disconnect
// the stream is opened again with Last-Event-ID = the last seq handled, and any event at or below it is dropped,
// so every event is handled once, in order, however often the connection breaks.

import { call, sessionPath } from './api.js';

const FirstRetryMs = 500;
const LongestRetryMs = 10_000;

/** The frames of an SSE body: { id, event, data } each, comments (keep-alives) skipped. */
export async function* frames(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let frame = { data: [] };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
        // A lone CR at the end of the buffer may be the first half of a CRLF: wait for the next chunk.
        if (buffer[end] === '\r' && end === buffer.length - 1) break;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') {
          if (frame.data.length > 0) yield { id: frame.id, event: frame.event ?? 'message', data: frame.data.join('\n') };
          frame = { data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') frame.data.push(value);
        else if (field === 'event') frame.event = value;
        else if (field === 'id') frame.id = value;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

const isEnd = event => event.type === 'session.status' && event.payload?.status === 'terminated';

function pause(ms, signal) {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/**
 * Follows a session's events from after `after` until it is terminated or `signal` aborts.
 * onEvent(event) for each event once; onState('live' | 'reconnecting' | 'ended' | 'gone', error?) as the link changes.
 */
export async function followEvents(sessionId, { after = 0, onEvent, onState = () => {}, signal }) {
  let last = after;
  let retry = FirstRetryMs;
  while (!signal.aborted) {
    try {
      const headers = { Accept: 'text/event-stream' };
      if (last > 0) headers['Last-Event-ID'] = String(last);
      const response = await call(sessionPath(sessionId, '/events'), { headers, signal, raw: true });
      onState('live');
      for await (const frame of frames(response.body)) {
        const event = JSON.parse(frame.data);
        if (event.seq <= last) continue;
        last = event.seq;
        retry = FirstRetryMs;
        onEvent(event);
        if (isEnd(event)) {
          onState('ended');
          return;
        }
      }
      // Ended without the terminated status: the node stopped (a drain) or the connection broke. Resume.
    } catch (error) {
      if (signal.aborted) return;
      if (error.status === 404) { onState('gone', error); return; }
      if (error.status === 401) { onState('reconnecting', error); }
    }
    if (signal.aborted) return;
    onState('reconnecting');
    await pause(retry, signal);
    retry = Math.min(retry * 2, LongestRetryMs);
  }
}
