/**
 * A crush as its public page shows it: both accounts (linked to their Instagram profiles), the
 * counts, how long ago it was worked out, and Share. It arrives with a short reveal, unless the
 * reader asked for less motion.
 */
import { TimeAgo } from '@/components/ui/time-ago';
import { formatNumber } from '@/lib/format';
import type { Crush, CrushAccount } from '../api/get-crush';
import { instagramProfileUrl } from '../instagram';
import { Avatar } from './avatar';
import { ShareButton } from './share-button';
import '../crush.css';

function Person({ account, role }: { account: CrushAccount; role: 'Owner' | 'Crush' }) {
  return (
    <figure className={`crush-person crush-person-${role.toLowerCase()}`}>
      <Avatar account={account} />
      <figcaption>
        <span className="crush-role">{role}</span>
        <a className="crush-username" href={instagramProfileUrl(account.username)} rel="noopener noreferrer">
          @{account.username}
        </a>
      </figcaption>
    </figure>
  );
}

export function CrushCard({ crush }: { crush: Crush }) {
  return (
    <section className="card crush-card" aria-label="The crush">
      <div className="crush-pair">
        <Person account={crush.owner} role="Owner" />
        <svg className="crush-heart" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
          <path d="M16 28.5 4.6 17.4A7.3 7.3 0 0 1 15 7.1l1 1 1-1a7.3 7.3 0 0 1 10.4 10.3Z" />
        </svg>
        <Person account={crush.crush} role="Crush" />
      </div>
      <p className="crush-summary">
        <strong>@{crush.crush.username}</strong> comments most on <strong>@{crush.owner.username}</strong>’s
        recent posts.
      </p>
      <dl className="crush-stats">
        <div>
          <dt>Comments and replies</dt>
          <dd>{formatNumber(crush.comments_count)}</dd>
        </div>
        <div>
          <dt>Posts commented on</dt>
          <dd>{formatNumber(crush.posts_count)}</dd>
        </div>
      </dl>
      <p className="muted crush-updated">
        Updated <TimeAgo iso={crush.computed_at} />
      </p>
      <ShareButton path={crush.links.page} />
    </section>
  );
}
