import { describe, expect, it } from 'vitest';
import { pollDelayMs } from './get-sync-status';

describe('the polling pace', () => {
  it('follows the server within a floor and a ceiling', () => {
    expect(pollDelayMs(3)).toBe(3_000);
    expect(pollDelayMs(null)).toBe(2_000);
    expect(pollDelayMs(0)).toBe(1_000);
    expect(pollDelayMs(3_600)).toBe(30_000);
  });
});
