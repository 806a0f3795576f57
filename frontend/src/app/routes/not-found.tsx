import { Link } from 'react-router';
import { Page } from '@/components/ui/page';
import { paths } from '@/config/paths';

export function NotFoundRoute() {
  return (
    <Page title="Page not found" lead="There is nothing at this address. It may have moved, or the link may be wrong.">
      <p>
        <Link to={paths.home.getHref()}>Go to the home page</Link>
      </p>
    </Page>
  );
}
