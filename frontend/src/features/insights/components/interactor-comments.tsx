/** One account's comments and replies on my posts, newest first, each with the post it is on. */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { paths } from '@/config/paths';
import { useInteractorComments, type InteractorComment } from '../api/get-interactor-comments';
import { Picture } from '@/components/ui/picture';
import { formatDay, formatMoment } from '@/lib/format';
import { excerpt } from '../format';
import { usePageParam } from '../paging';
import { EmptyState } from './empty-state';
import { PagedList } from './paged-list';
import { PostLink } from './post-link';

export interface InteractorCommentsProps {
  /** The account's Instagram id. */
  igId: string;
  renderError?: (error: unknown) => ReactNode;
}

export function InteractorComments({ igId, renderError }: InteractorCommentsProps) {
  const paging = usePageParam();
  const query = useInteractorComments(igId, paging.offset);
  const none = (
    <EmptyState title="This account has not commented on your recent posts.">
      <p>
        Not in what we read at your last sync, at least. <Link to={paths.topUsers.getHref()}>See who did</Link>.
      </p>
    </EmptyState>
  );
  return (
    <PagedList
      query={query}
      paging={paging}
      heading="Newest first"
      noun="comments"
      variant="comment"
      itemKey={(comment) => comment.ig_comment_id}
      renderItem={(comment) => <CommentRow comment={comment} />}
      failure="We could not load these comments"
      renderError={renderError}
      empty={none}
      notFound={none}
    />
  );
}

function CommentRow({ comment }: { comment: InteractorComment }) {
  const { post } = comment;
  const day = formatDay(post.posted_at);
  return (
    <article className="insights-comment">
      <p className="insights-meta">
        {comment.kind === 'reply' ? 'Reply' : 'Comment'} ·{' '}
        <time dateTime={comment.commented_at}>{formatMoment(comment.commented_at)}</time>
      </p>
      <blockquote className="insights-quote">
        <p>{comment.text}</p>
      </blockquote>
      <div className="insights-on-post">
        <Picture
          src={post.picture_url}
          alt={`Your post of ${day}`}
          fallback="Post"
          className="insights-thumb-small"
          fallbackClassName="insights-picture-fallback"
          size={40}
        />
        <p className="insights-meta">
          On your post {post.caption ? <q>{excerpt(post.caption, 80)}</q> : <>of {day}</>}
          <PostLink permalink={post.permalink} day={day} />
        </p>
      </div>
    </article>
  );
}
