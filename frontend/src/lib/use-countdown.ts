/** A countdown to a deadline, in whole seconds, kept up to date while it runs. */
import { useCallback, useEffect, useState } from 'react';

/**
 * Seconds left until the deadline `start(seconds)` sets (0 when none or past), re-rendering
 * each second while it runs.
 */
export function useCountdown() {
  const [deadline, setDeadline] = useState<number | null>(null);
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (deadline === null) return;
    const id = setInterval(() => {
      const time = Date.now();
      setNow(time);
      if (time >= deadline) clearInterval(id);
    }, 250);
    return () => {
      clearInterval(id);
    };
  }, [deadline]);
  const left = deadline === null ? 0 : Math.max(0, Math.ceil((deadline - now) / 1000));
  const start = useCallback((seconds: number) => {
    const time = Date.now();
    setNow(time);
    setDeadline(time + seconds * 1000);
  }, []);
  return [left, start] as const;
}
