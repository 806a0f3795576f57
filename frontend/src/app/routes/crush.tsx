/** `/crush/:slug`: a crush's public, shareable page; works signed out. */
import { useParams } from 'react-router';
import { Page } from '@/components/ui/page';
import { useCrush } from '@/features/crush/api/get-crush';
import { CrushCard } from '@/features/crush/components/crush-card';
import { CrushNotFound } from '@/features/crush/components/crush-not-found';
import { CrushSkeleton } from '@/features/crush/components/crush-skeleton';

export function CrushRoute() {
  const { slug = '' } = useParams();
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
      <Page title="Crush" lead="This crush could not be loaded.">
        <div className="notice" role="alert">
          <p>{crush.error.message}</p>
          <p className="actions">
            <button type="button" className="button" onClick={() => void crush.refetch()}>
              Try again
            </button>
          </p>
        </div>
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
