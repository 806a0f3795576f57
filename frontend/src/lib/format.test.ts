import { describe, expect, it } from 'vitest';
import { formatRelative } from './format';

const now = Date.parse('2026-11-29T12:00:00Z');

describe('formatRelative', () => {
  it.each([
    ['2026-11-29T11:59:30Z', 'just now'],
    ['2026-11-29T11:55:00Z', '5 minutes ago'],
    ['2026-11-29T09:00:00Z', '3 hours ago'],
    ['2026-11-28T12:00:00Z', 'yesterday'],
    ['2026-11-15T12:00:00Z', '2 weeks ago'],
    ['2025-11-01T12:00:00Z', 'last year'],
    ['2026-12-02T12:00:00Z', 'in 3 days'],
  ])('%s is %s', (iso, expected) => {
    expect(formatRelative(iso, now)).toBe(expected);
  });
});
