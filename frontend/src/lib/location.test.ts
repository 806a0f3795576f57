import { describe, expect, it } from 'vitest';
import { dropEmptyFragment } from './location';

describe('dropEmptyFragment', () => {
  it("removes Instagram's #_ and keeps the path and query", () => {
    window.history.replaceState(null, '', '/loading?x=1#_');
    dropEmptyFragment();
    expect(`${window.location.pathname}${window.location.search}${window.location.hash}`).toBe('/loading?x=1');
  });

  it('leaves any other fragment alone', () => {
    window.history.replaceState(null, '', '/account#developers');
    dropEmptyFragment();
    expect(window.location.hash).toBe('#developers');
  });
});
