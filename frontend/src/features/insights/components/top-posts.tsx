/** "Top posts": my recent posts, most commented first. */
import type { ReactNode } from 'react';
import { useTopPosts, type TopPost } from '../api/get-top-posts';
import { Picture } from '@/components/ui/picture';
import { formatDay, formatNumber } from '@/lib/format';
import { countOf, excerpt } from '../format';
import { usePageParam } from '../paging';
import { EmptyState } from './empty-state';
import { PagedList } from './paged-list';
import { PostLink } from './post-link';

const MEDIA_LABELS: Record<string, string> = { IMAGE: 'Photo', VIDEO: 'Video', CAROUSEL_ALBUM: 'Album' };

export function TopPosts({ renderError }: { renderError?: (error: unknown) => ReactNode }) {
  const paging = usePageParam();
  const query = useTopPosts(paging.offset);
  return (
    <PagedList
      query={query}
      paging={paging}
      heading="Most commented first"
      noun="posts"
      variant="post"
      itemKey={(post) => post.ig_id}
      renderItem={(post) => <TopPostRow post={post} />}
      failure="We could not load your top posts"
      renderError={renderError}
      empty={
        <EmptyState title="We have not seen any of your posts yet.">
          <p>Finding your crush reads your latest posts and who commented on them.</p>
        </EmptyState>
      }
    />
  );
}

function TopPostRow({ post }: { post: TopPost }) {
  const kind = MEDIA_LABELS[post.media_type] ?? 'Post';
  const day = formatDay(post.posted_at);
  // A video's media_url is the video itself: only its thumbnail is a picture.
  const picture = post.media_type === 'VIDEO' ? post.thumbnail_url : (post.media_url ?? post.thumbnail_url);
  return (
    <>
      <Picture
        src={picture}
        alt={`${kind} posted ${day}`}
        fallback={kind}
        className="insights-thumb"
        fallbackClassName="insights-picture-fallback"
        size={64}
      />
      <div className="insights-main">
        <p className="insights-caption">
          {post.caption ? excerpt(post.caption) : <span className="muted">No caption</span>}
        </p>
        <p className="insights-meta">
          <time dateTime={post.posted_at}>{day}</time>
          {post.like_count != null ? ` · ${countOf(post.like_count, 'like')}` : null}
          <PostLink permalink={post.permalink} day={day} />
        </p>
      </div>
      <p className="insights-count">
        <strong>{formatNumber(post.interactions_count)}</strong>{' '}
        {post.interactions_count === 1 ? 'comment' : 'comments'}
        {post.replies_count > 0 ? (
          <span className="insights-count-detail">incl. {countOf(post.replies_count, 'reply', 'replies')}</span>
        ) : null}
      </p>
    </>
  );
}
