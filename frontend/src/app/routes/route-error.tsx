import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { Page } from '@/components/ui/page';
import { paths } from '@/config/paths';

/** Shown inside the shell when a page fails to render: never a blank screen. */
export function RouteErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return <Page title="Page not found" />;
  }
  return (
    <Page title="Something went wrong" lead="This page could not be shown. Reloading usually helps.">
      <p className="actions">
        <button type="button" className="button" onClick={() => {
            window.location.reload();
          }}>
          Reload
        </button>
        <Link to={paths.home.getHref()}>Go to the home page</Link>
      </p>
    </Page>
  );
}
