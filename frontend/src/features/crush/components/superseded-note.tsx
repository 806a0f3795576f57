/**
 * A crush page whose pair is no longer the owner's crush (a later sync or comment made another
 * account their crush, which has a page of its own). The owner is led to it; a visitor learns
 * only that it changed: the new page is the owner's to share.
 */
import { Link } from 'react-router';
import { paths } from '@/config/paths';
import type { Crush } from '../api/get-crush';

export function SupersededNote({ crush, isOwner }: { crush: Crush; isOwner: boolean }) {
  if (crush.is_current) return null;
  return (
    <p className="card crush-superseded" role="status">
      {isOwner ? (
        <>
          Your crush has changed since this page was made.{' '}
          <Link to={paths.loading.getHref()}>See your crush now</Link>
        </>
      ) : (
        <>This is no longer @{crush.owner.username}’s crush: it has changed since.</>
      )}
    </p>
  );
}
