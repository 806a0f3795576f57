/** A friendly "nothing here yet", pointing to where the crush gets found (which also syncs). */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { paths } from '@/config/paths';

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="notice insights-empty" role="status">
      <p className="insights-empty-title">{title}</p>
      {children}
      <p className="actions">
        <Link className="button button-primary" to={paths.loading.getHref()}>
          Find your crush
        </Link>
      </p>
    </div>
  );
}
