import { useEffect, useState } from 'react';
import { formatMoment, formatRelative } from '@/lib/format';

/** How often a relative time is worded again ("just now" becomes "1 minute ago"). */
const TICK_MS = 30_000;

/** A point in time, worded relative to now ("5 minutes ago"), machine-readable and exact on hover. */
export function TimeAgo({ iso }: { iso: string }) {
  const [, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => {
      setNow(Date.now());
    }, TICK_MS);
    return () => {
      window.clearInterval(timer);
    };
  }, []);
  return (
    <time dateTime={iso} title={formatMoment(iso)}>
      {formatRelative(iso)}
    </time>
  );
}
