/** How every page writes numbers, days and moments: in the reader's locale, or relative to now. */

const numbers = new Intl.NumberFormat();
const days = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const moments = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** "1,204". */
export function formatNumber(n: number): string {
  return numbers.format(n);
}

/** A day, e.g. "Mar 3, 2026". */
export function formatDay(iso: string): string {
  return days.format(new Date(iso));
}

/** A day and time, e.g. "Mar 3, 2026, 4:05 PM". */
export function formatMoment(iso: string): string {
  return moments.format(new Date(iso));
}

/** A time of day, e.g. "2:05 PM". */
export function formatClock(iso: string): string {
  return clock.format(new Date(iso));
}

/** A wait in minutes and seconds, e.g. "4 min 05 s", "42 s". */
export function formatWait(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return minutes > 0 ? `${minutes} min ${String(rest).padStart(2, '0')} s` : `${rest} s`;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

// The pages are written in English: so are their relative times.
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** `iso` relative to `now`: "just now", "5 minutes ago", "yesterday", "in 3 days". */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.trunc(seconds / size), unit);
  }
  return 'just now';
}
