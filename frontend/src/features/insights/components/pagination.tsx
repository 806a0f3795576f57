/** Previous and Next: real buttons, so the keyboard reaches them; the page goes in the URL. */
import { formatNumber } from '@/lib/format';
import { PAGE_SIZE } from '../paging';

export interface PaginationProps {
  /** The current page, from 1. */
  page: number;
  total: number;
  /** What the pages hold, for the landmark's name: "Pages of accounts". */
  label: string;
  onPage: (page: number) => void;
}

export function Pagination({ page, total, label, onPage }: PaginationProps) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (pages === 1 && page === 1) return null;
  return (
    <nav className="insights-pager" aria-label={label}>
      <button
        type="button"
        className="button button-small"
        disabled={page <= 1}
        onClick={() => {
          onPage(page - 1);
        }}
      >
        Previous
      </button>
      <span className="muted">
        Page {formatNumber(page)} of {formatNumber(pages)}
      </span>
      <button
        type="button"
        className="button button-small"
        disabled={page >= pages}
        onClick={() => {
          onPage(page + 1);
        }}
      >
        Next
      </button>
    </nav>
  );
}
