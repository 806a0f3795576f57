/** How every page writes numbers, days and moments: in the reader's locale. */

const numbers = new Intl.NumberFormat();
const days = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const moments = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

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
