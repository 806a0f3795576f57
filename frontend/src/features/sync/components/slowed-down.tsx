/**
 * A sync waiting because Instagram asked us to slow down: when it resumes, and a live
 * countdown to then.
 */
import { useEffect, useState } from 'react';
import { formatClock, formatWait } from '@/lib/format';

export function SlowedDown({ resumesAt }: { resumesAt: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(id);
    };
  }, []);
  const left = (Date.parse(resumesAt) - now) / 1000;
  return (
    <div className="sync-slowed">
      <p>
        Instagram asked us to slow down — your sync resumes at{' '}
        <time dateTime={resumesAt}>{formatClock(resumesAt)}</time>.
      </p>
      {/* Not a live region: read out every second, it would drown everything else. */}
      <p className="muted" aria-hidden="true">
        {left > 0 ? `Resuming in ${formatWait(left)}` : 'Resuming now…'}
      </p>
    </div>
  );
}
