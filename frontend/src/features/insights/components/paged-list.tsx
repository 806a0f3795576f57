/**
 * One paged list with every state it can be in: skeleton rows while the first page loads,
 * the page's own answer to some errors (signed out), a problem with Retry, a friendly empty
 * state, the list with "21–40 of 57", and Previous/Next.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import { useId, useRef, type ReactNode } from 'react';
import { ErrorNotice } from '@/components/ui/error-notice';
import { ApiError } from '@/lib/api';
import { formatNumber } from '@/lib/format';
import { rangeLabel, type Page, type Paging } from '../paging';
import { Pagination } from './pagination';
import { SkeletonRows } from './skeleton-rows';
import '../insights.css';

export interface PagedListProps<T> {
  query: UseQueryResult<Page<T>>;
  paging: Paging;
  /** The list's `h2`. */
  heading: string;
  /** What the items are, plural, for the pager's name: "accounts". */
  noun: string;
  /** The rows' layout: `user`, `post` or `comment`. */
  variant: 'user' | 'post' | 'comment';
  itemKey: (item: T) => string;
  renderItem: (item: T) => ReactNode;
  /** Shown when the list is empty. */
  empty: ReactNode;
  /** Shown for a 404; `empty` by default. */
  notFound?: ReactNode;
  /** What could not be done, shown with the problem. */
  failure: string;
  /** The page's own rendering of some errors (e.g. sign in for a 401); `null` for the rest. */
  renderError?: (error: unknown) => ReactNode;
}

export function PagedList<T>(props: PagedListProps<T>) {
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const goTo = (page: number) => {
    props.paging.goTo(page);
    // The buttons may disappear or be disabled on the new page: start reading it from the top.
    headingRef.current?.focus();
  };
  return (
    <section className="insights-section" aria-labelledby={headingId}>
      <h2 id={headingId} ref={headingRef} tabIndex={-1} className="insights-heading">
        {props.heading}
      </h2>
      <PagedListBody {...props} goTo={goTo} />
    </section>
  );
}

function PagedListBody<T>({
  query,
  paging,
  noun,
  variant,
  itemKey,
  renderItem,
  empty,
  notFound = empty,
  failure,
  renderError,
  goTo,
}: PagedListProps<T> & { goTo: (page: number) => void }) {
  if (query.isError) {
    const own = renderError?.(query.error);
    if (own) return own;
    if (query.error instanceof ApiError && query.error.status === 404) return notFound;
    return (
      <ErrorNotice
        error={query.error}
        what={failure}
        retrying={query.isFetching}
        onRetry={() => {
          void query.refetch();
        }}
      />
    );
  }
  if (query.isPending) return <SkeletonRows variant={variant} />;

  const data = query.data;
  if (data.total === 0) return empty;
  if (data.items.length === 0) {
    return (
      <div className="notice" role="status">
        <p>
          There are only {formatNumber(data.total)} {noun}, so page {formatNumber(paging.page)} is empty.
        </p>
        <p>
          <button
            type="button"
            className="button button-small"
            onClick={() => {
              goTo(1);
            }}
          >
            Go to the first page
          </button>
        </p>
      </div>
    );
  }
  return (
    <>
      <p className="insights-range" role="status">
        {rangeLabel(data)}
      </p>
      <ol
        className={`insights-list insights-list-${variant}`}
        start={data.offset + 1}
        aria-busy={query.isPlaceholderData}
      >
        {data.items.map((item) => (
          <li key={itemKey(item)} className={`insights-row insights-row-${variant}`}>
            {renderItem(item)}
          </li>
        ))}
      </ol>
      <Pagination page={paging.page} total={data.total} label={`Pages of ${noun}`} onPage={goTo} />
    </>
  );
}
