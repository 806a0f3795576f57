import { formatMoment, formatRelative } from '@/lib/format';

/** A point in time, worded relative to now ("5 minutes ago"), machine-readable and exact on hover. */
export function TimeAgo({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatMoment(iso)}>
      {formatRelative(iso)}
    </time>
  );
}
