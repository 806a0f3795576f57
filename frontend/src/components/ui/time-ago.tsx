import { formatAbsolute, formatRelative } from '../format';

/** A point in time, worded relative to now, machine-readable and exact on hover. */
export function TimeAgo({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatAbsolute(iso)}>
      {formatRelative(iso)}
    </time>
  );
}
