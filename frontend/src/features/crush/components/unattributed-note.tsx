/** Comments Instagram returned without their author: they count for nobody, and we say so. */
import { formatNumber } from '@/lib/format';

export function UnattributedNote({ count }: { count: number | undefined }) {
  if (!count) return null;
  return (
    <p className="muted crush-unattributed">
      {formatNumber(count)} {count === 1 ? 'comment' : 'comments'} could not be attributed: Instagram did not say who
      wrote {count === 1 ? 'it' : 'them'}, so {count === 1 ? 'it counts' : 'they count'} for nobody.
    </p>
  );
}
