// How values of the API are shown: times, durations, money, statuses.

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function usd(value) {
  if (value === null || value === undefined) return '–';
  const n = Number(value);
  return n > 0 && n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
}

export function when(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  return date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** A session's status as a badge: the word itself, so colour is never the only cue. */
export function statusClass(status) {
  return `badge status-${String(status).replace(/[^a-z_]/g, '')}`;
}

/** Whether the session can still run anything. */
export const isTerminated = session => session?.status === 'terminated';
