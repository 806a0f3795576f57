/** "Top users": who comments most on my recent posts, best first, the crush at number 1. */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { paths } from '@/config/paths';
import { useTopInteractors, type InteractorSummary } from '../api/get-top-interactors';
import { Picture } from '@/components/ui/picture';
import { formatDay, formatNumber } from '@/lib/format';
import { countOf } from '../format';
import { interactorLinkState } from '../interactor-state';
import { usePageParam } from '../paging';
import { EmptyState } from './empty-state';
import { PagedList } from './paged-list';

export function TopUsers({ renderError }: { renderError?: (error: unknown) => ReactNode }) {
  const paging = usePageParam();
  const query = useTopInteractors(paging.offset);
  return (
    <PagedList
      query={query}
      paging={paging}
      heading="Who comments most"
      noun="accounts"
      variant="user"
      itemKey={(user) => user.ig_id ?? `@${user.username}`}
      renderItem={(user) => <TopUser user={user} />}
      failure="We could not load your top users"
      renderError={renderError}
      empty={
        <EmptyState title="Nobody has commented on your recent posts yet.">
          <p>
            Or we have not read them yet: finding your crush reads your latest posts and their
            comments.
          </p>
        </EmptyState>
      }
    />
  );
}

function TopUser({ user }: { user: InteractorSummary }) {
  return (
    <>
      <span className="insights-rank">
        <span className="visually-hidden">Rank </span>
        {user.rank}
      </span>
      <Picture
        src={user.profile_picture_url}
        alt={`Profile picture of @${user.username}`}
        fallback={user.username.charAt(0).toUpperCase() || '?'}
        className="insights-avatar"
        fallbackClassName="insights-picture-fallback"
        size={48}
      />
      <div className="insights-main">
        <p className="insights-name">
          {user.ig_id === null ? (
            // Instagram named this account only by username: there is no id to open its page by.
            <span>@{user.username}</span>
          ) : (
            <Link to={paths.interactor.getHref(user.ig_id)} state={interactorLinkState(user.username)}>
              @{user.username}
            </Link>
          )}
          {user.rank === 1 ? <span className="insights-badge">Your crush</span> : null}
        </p>
        <p className="insights-meta">
          On {countOf(user.posts_count, 'post')} · latest{' '}
          <time dateTime={user.latest_comment_at}>{formatDay(user.latest_comment_at)}</time>
        </p>
      </div>
      <p className="insights-count">
        <strong>{formatNumber(user.comments_count)}</strong>{' '}
        {user.comments_count === 1 ? 'comment' : 'comments'}
      </p>
    </>
  );
}
