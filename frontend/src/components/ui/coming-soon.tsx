/** An honest placeholder for a route whose page is not built yet. */
import { Link } from 'react-router';
import { Page } from './page';

export function ComingSoon({ title, what }: { title: string; what: string }) {
  return (
    <Page title={title} lead={what}>
      <p className="notice">
        This page is coming soon. It is not available yet.
      </p>
      <p>
        <Link to="/">Back to the home page</Link>
      </p>
    </Page>
  );
}
