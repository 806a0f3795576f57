/** A page's frame: its document title and its one `h1`, which takes focus after navigation. */
import type { ReactNode } from 'react';

export interface PageProps {
  /** The `h1`, also used for the document title. */
  title: string;
  /** A short line under the heading. */
  lead?: ReactNode;
  /** Added to the page's class, for a page with its own layout. */
  className?: string;
  children?: ReactNode;
}

export function Page({ title, lead, className, children }: PageProps) {
  return (
    <article className={className ? `page ${className}` : 'page'}>
      <title>{`${title} · Instacrush`}</title>
      <h1 className="page-title">{title}</h1>
      {lead ? <p className="page-lead">{lead}</p> : null}
      {children}
    </article>
  );
}
