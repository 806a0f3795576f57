/**
 * `/account/deleted?code=…`: where Meta's data-deletion callback sends the person who asked
 * Instagram to delete their data here. The deletion happened when Meta called us; this page
 * confirms it and shows the confirmation code to quote if they contact us.
 */
import { Link, useSearchParams } from 'react-router';
import { Page } from '@/components/ui/page';
import { paths } from '@/config/paths';

export function AccountDeletedRoute() {
  const [searchParams] = useSearchParams();
  const code = searchParams.get('code');
  return (
    <Page
      title="Your data was deleted"
      lead="Instacrush deleted your account and everything it had read from Instagram: your posts, their comments and your crush."
    >
      {code ? (
        <p>
          Confirmation code: <code>{code}</code>
        </p>
      ) : null}
      <p>
        <Link to={paths.home.getHref()}>Go to the home page</Link>
      </p>
    </Page>
  );
}
