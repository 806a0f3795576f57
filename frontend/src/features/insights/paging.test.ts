import { describe, expect, it } from 'vitest';
import { excerpt } from './format';
import { parsePage, rangeLabel } from './paging';

describe('paging', () => {
  it('reads the page from the URL, 1 for anything odd', () => {
    expect(parsePage('3')).toBe(3);
    expect(parsePage(null)).toBe(1);
    expect(parsePage('0')).toBe(1);
    expect(parsePage('-2')).toBe(1);
    expect(parsePage('2.5')).toBe(1);
    expect(parsePage('abc')).toBe(1);
    expect(parsePage('99999999999999999999')).toBe(1);
  });

  it('says which items a page shows', () => {
    expect(rangeLabel({ offset: 20, items: new Array(20), total: 57 })).toBe('21–40 of 57');
    expect(rangeLabel({ offset: 40, items: new Array(17), total: 57 })).toBe('41–57 of 57');
    expect(rangeLabel({ offset: 0, items: new Array(1), total: 1 })).toBe('1 of 1');
    expect(rangeLabel({ offset: 0, items: [], total: 0 })).toBe('0 of 0');
    expect(rangeLabel({ offset: 1000, items: new Array(20), total: 1500 })).toBe('1,001–1,020 of 1,500');
  });

  it('cuts long captions at a word', () => {
    expect(excerpt('short  and\nsweet')).toBe('short and sweet');
    expect(excerpt('one two three four five six', 12)).toBe('one two…');
  });
});
