/** `/crush/:slug`: a crush's public, shareable page; works signed out. */
import { useParams } from 'react-router';
import { ErrorNotice } from '@/components/ui/error-notice';
import { Page } from '@/components/ui/page';
import { useCrush } from '@/features/crush/api/get-crush';
import { CrushCard } from '@/features/crush/components/crush-card';
import { CrushNotFound } from '@/features/crush/components/crush-not-found';
import { CrushSkeleton } from '@/features/crush/components/crush-skeleton';

export function CrushRoute() {
  const { slug = '' } = useParams();
  // One page per slug: state of the previous crush (a broken picture, "Link copied") stays behind.
  return <CrushPage key={slug} slug={slug} />;
}

function CrushPage({ slug }: { slug: string }) {
  const crush = useCrush(slug);

  if (crush.isPending) {
    return (
      <Page title="Crush">
        <CrushSkeleton />
      </Page>
    );
  }
  if (crush.isError) {
    return (
      <Page title="Crush">
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
    <Page title={`@${crush.data.owner.username}’s crush`}>
      <CrushCard crush={crush.data} />
    </Page>
  );
}
