/** Copies the page's link, says so out loud, and shows the link when copying is not possible. */
import { useId, useState } from 'react';
import '../crush.css';

type CopyState = 'idle' | 'copying' | 'copied' | 'failed';

export function ShareButton({ path }: { path: string }) {
  const [state, setState] = useState<CopyState>('idle');
  const inputId = useId();
  const url = new URL(path, window.location.origin).href;

  const copy = async () => {
    setState('copying');
    try {
      // Throws where there is no clipboard (insecure context, old browser) or no permission.
      await navigator.clipboard.writeText(url);
      setState('copied');
    } catch {
      setState('failed');
    }
  };

  return (
    <div className="share">
      <button type="button" className="button button-primary" onClick={() => void copy()} disabled={state === 'copying'}>
        Share
      </button>
      <p className="share-status" role="status">
        {state === 'copied' ? 'Link copied' : state === 'failed' ? 'Copying did not work: here is the link to share.' : null}
      </p>
      {state === 'failed' ? (
        <p className="share-fallback">
          <label htmlFor={inputId}>Link to this page</label>
          <input
            id={inputId}
            className="share-url"
            type="url"
            readOnly
            value={url}
            onFocus={(event) => {
              event.currentTarget.select();
            }}
          />
        </p>
      ) : null}
    </div>
  );
}
