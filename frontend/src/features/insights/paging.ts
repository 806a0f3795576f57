/** Paging through a list with the page number in the URL (`?page=2`), 1-based for people. */
import { useLocation, useSearchParams } from 'react-router';
import { formatNumber } from '@/lib/format';

/** Items per page (the API's default too). */
export const PAGE_SIZE = 20;

/** One page of a list, as every paged endpoint answers. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The page number in `?page=`, or 1 for anything missing or not a positive integer. */
export function parsePage(value: string | null): number {
  if (value === null || !/^\d+$/.test(value)) return 1;
  const page = Number(value);
  return Number.isSafeInteger(page) && page >= 1 ? page : 1;
}

/** "21–40 of 57": which items a page shows, out of how many. */
export function rangeLabel({ offset, items, total }: Pick<Page<unknown>, 'offset' | 'items' | 'total'>): string {
  const first = offset + 1;
  const last = offset + items.length;
  const of = `of ${formatNumber(total)}`;
  if (items.length === 0) return `0 ${of}`;
  if (first === last) return `${formatNumber(first)} ${of}`;
  return `${formatNumber(first)}–${formatNumber(last)} ${of}`;
}

export interface Paging {
  /** The current page, from 1. */
  page: number;
  /** Items before it. */
  offset: number;
  /** Goes to a page, as a new history entry. */
  goTo: (page: number) => void;
}

/** The page in the URL, and a way to change it. */
export function usePageParam(): Paging {
  const [params, setParams] = useSearchParams();
  // Whatever the page was opened with (an interactor's name) stays with every page of it.
  const state: unknown = useLocation().state;
  const page = parsePage(params.get('page'));
  const goTo = (next: number) => {
    const updated = new URLSearchParams(params);
    if (next <= 1) updated.delete('page');
    else updated.set('page', String(next));
    setParams(updated, { state });
  };
  return { page, offset: (page - 1) * PAGE_SIZE, goTo };
}
