/** `/crush/:slug`: a crush's public, shareable page; works signed out. */
import { Link, useLocation, useParams } from 'react-router';
import { ErrorNotice } from '@/components/ui/error-notice';
import { Page } from '@/components/ui/page';
import { paths } from '@/config/paths';
import { useMe } from '@/features/auth/api/get-me';
import { SignInLink } from '@/features/auth/components/sign-in-link';
import { useCrush, type Crush } from '@/features/crush/api/get-crush';
import { CrushCard } from '@/features/crush/components/crush-card';
import { CrushNotFound } from '@/features/crush/components/crush-not-found';
import { CrushSkeleton } from '@/features/crush/components/crush-skeleton';
import { SupersededNote } from '@/features/crush/components/superseded-note';
import { UnattributedNote } from '@/features/crush/components/unattributed-note';
import { unattributedIn } from '@/features/crush/unattributed-state';

export function CrushRoute() {
  const { slug = '' } = useParams();
  // One page per slug: state of the previous crush (a broken picture, "Link copied") stays behind.
  return <CrushPage key={slug} slug={slug} />;
}

function CrushPage({ slug }: { slug: string }) {
  const crush = useCrush(slug);
  const isOwner = useIsOwner(crush.data) === true;
  // Handed over by the loading page, for the owner only: a shared link never carries it.
  const unattributed = unattributedIn(useLocation().state);

  if (crush.isPending) {
    return (
      <Page title="Crush" className="crush-page">
        <CrushSkeleton />
      </Page>
    );
  }
  if (crush.isError) {
    return (
      <Page title="Crush" className="crush-page">
        <ErrorNotice
          card
          error={crush.error}
          what="We could not load this crush"
          onRetry={() => void crush.refetch()}
          retrying={crush.isFetching}
        />
      </Page>
    );
  }
  if (crush.data === null) return <CrushNotFound />;

  return (
    <Page title={`@${crush.data.owner.username}’s crush`} className="crush-page">
      <SupersededNote crush={crush.data} isOwner={isOwner} />
      <CrushCard crush={crush.data} />
      <UnattributedNote count={unattributed} />
      <FindYourOwn crush={crush.data} />
    </Page>
  );
}

/** Whether the signed-in user owns `crush` (`undefined` while that is not known yet). */
function useIsOwner(crush: Crush | null | undefined) {
  const me = useMe();
  if (me.isPending || !crush) return undefined;
  return me.data?.instagram_username === crush.owner.username;
}

/** For a visitor (anyone but its owner): the way to their own crush. */
function FindYourOwn({ crush }: { crush: Crush }) {
  const me = useMe();
  const isOwner = useIsOwner(crush);
  if (isOwner !== false) return null;
  return (
    <section className="crush-cta" aria-labelledby="crush-cta-title">
      <h2 id="crush-cta-title">Who is your crush?</h2>
      <p>Instacrush finds the account that comments most on your Instagram posts.</p>
      {me.data ? (
        <Link className="button button-primary" to={paths.loading.getHref()}>
          Find your own crush
        </Link>
      ) : (
        <SignInLink>Find your own crush</SignInLink>
      )}
    </section>
  );
}
