/** How the insights pages write numbers, dates and captions. */

const numbers = new Intl.NumberFormat();
const days = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const moments = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "1 comment", "1,204 comments". */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${numbers.format(n)} ${n === 1 ? one : many}`;
}

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

/** The start of a caption, cut at a word near `max` characters, on one line. */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
