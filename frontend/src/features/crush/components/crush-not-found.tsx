import { Link } from 'react-router';
import { Page } from '@/components/ui/page';
import { paths } from '@/config/paths';

/** No crush by that slug: the link is wrong, or its owner deleted their data. */
export function CrushNotFound() {
  return (
    <Page
      title="Crush not found"
      lead="There is no crush at this address. The link may be mistyped, or its owner deleted their data."
    >
      <p className="actions">
        <Link className="button button-primary" to={paths.loading.getHref()}>
          Find your own crush
        </Link>
        <Link to={paths.home.getHref()}>Go to the home page</Link>
      </p>
    </Page>
  );
}
