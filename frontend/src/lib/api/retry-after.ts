/**
 * The `Retry-After` header (RFC 9110 §10.2.3), read once for every caller: the API sends
 * delay-seconds, but a proxy may answer with an HTTP date, so both forms are understood.
 */

/**
 * Whole seconds to wait from `response`'s `Retry-After` (rounded up; a date in the past is `0`),
 * or `null` when there is none or it is neither a non-negative number nor an HTTP date.
 */
export function retryAfterSeconds(response: Response, now: number = Date.now()): number | null {
  const value = response.headers.get('Retry-After')?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  // Only a date with letters in it: `Date.parse` also accepts bare numbers like "-1".
  if (!/[a-z]/i.test(value)) return null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}
