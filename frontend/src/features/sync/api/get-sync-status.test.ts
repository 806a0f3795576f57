import { describe, expect, it } from 'vitest';
import { pollDelayMs, retryAfterSeconds } from './get-sync-status';

const withRetryAfter = (value?: string) =>
  new Response(null, { status: 202, headers: value === undefined ? {} : { 'Retry-After': value } });

describe('the polling pace', () => {
  it('reads Retry-After as seconds', () => {
    expect(retryAfterSeconds(withRetryAfter('3'))).toBe(3);
    expect(retryAfterSeconds(withRetryAfter())).toBeNull();
    expect(retryAfterSeconds(withRetryAfter('soon'))).toBeNull();
    expect(retryAfterSeconds(withRetryAfter('-1'))).toBeNull();
  });

  it('follows the server within a floor and a ceiling', () => {
    expect(pollDelayMs(3)).toBe(3_000);
    expect(pollDelayMs(null)).toBe(2_000);
    expect(pollDelayMs(0)).toBe(1_000);
    expect(pollDelayMs(3_600)).toBe(30_000);
  });
});
