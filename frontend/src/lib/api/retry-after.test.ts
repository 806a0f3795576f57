import { describe, expect, it } from 'vitest';
import { retryAfterSeconds } from './retry-after';

const withRetryAfter = (value?: string) =>
  new Response(null, { status: 429, headers: value === undefined ? {} : { 'Retry-After': value } });

const now = Date.parse('2026-11-29T03:12:40Z');

describe('retryAfterSeconds', () => {
  it('reads delay-seconds', () => {
    expect(retryAfterSeconds(withRetryAfter('42'))).toBe(42);
    expect(retryAfterSeconds(withRetryAfter(' 0 '))).toBe(0);
    expect(retryAfterSeconds(withRetryAfter('1.5'))).toBe(2);
  });

  it('reads an HTTP date as the seconds until then', () => {
    expect(retryAfterSeconds(withRetryAfter('Sun, 29 Nov 2026 03:13:25 GMT'), now)).toBe(45);
    expect(retryAfterSeconds(withRetryAfter('Sun, 29 Nov 2026 03:12:40 GMT'), now)).toBe(0);
  });

  it('never waits for a date in the past', () => {
    expect(retryAfterSeconds(withRetryAfter('Sat, 28 Nov 2026 03:12:40 GMT'), now)).toBe(0);
  });

  it('is null without a usable value', () => {
    expect(retryAfterSeconds(withRetryAfter())).toBeNull();
    expect(retryAfterSeconds(withRetryAfter(''))).toBeNull();
    expect(retryAfterSeconds(withRetryAfter('soon'))).toBeNull();
    expect(retryAfterSeconds(withRetryAfter('-1'))).toBeNull();
    expect(retryAfterSeconds(withRetryAfter('12abc'))).toBeNull();
  });
});
