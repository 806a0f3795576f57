/**
 * Shares the page: the device's share sheet where the browser has one, else copies the link
 * and says so. Focus stays on the button throughout; the link is shown when neither works.
 */
import { useId, useRef, useState } from 'react';
import '../crush.css';

type ShareState = 'idle' | 'busy' | 'shared' | 'copied' | 'failed';

const MESSAGES: Record<ShareState, string | null> = {
  idle: null,
  busy: null,
  shared: null,
  copied: 'Link copied',
  failed: 'Copying did not work: here is the link to share.',
};

function canShareNatively(url: string): boolean {
  if (typeof navigator.share !== 'function') return false;
  return typeof navigator.canShare !== 'function' || navigator.canShare({ url });
}

export function ShareButton({ path, title }: { path: string; title?: string }) {
  const [state, setState] = useState<ShareState>('idle');
  const busy = useRef(false);
  const inputId = useId();
  const url = new URL(path, window.location.origin).href;

  const copy = async () => {
    try {
      // Throws where there is no clipboard (insecure context, old browser) or no permission.
      await navigator.clipboard.writeText(url);
      setState('copied');
    } catch {
      setState('failed');
    }
  };

  const share = async () => {
    // Not `disabled` while busy: a disabled button drops the focus.
    if (busy.current) return;
    busy.current = true;
    setState('busy');
    try {
      if (canShareNatively(url)) {
        try {
          await navigator.share({ url, title });
          setState('shared');
        } catch (error) {
          // Closing the sheet is a choice, not a failure; anything else falls back to copying.
          if (error instanceof DOMException && error.name === 'AbortError') setState('idle');
          else await copy();
        }
      } else {
        await copy();
      }
    } finally {
      busy.current = false;
    }
  };

  const message = MESSAGES[state];
  return (
    <div className="share">
      <button
        type="button"
        className="button button-primary"
        onClick={() => void share()}
        aria-disabled={state === 'busy' ? true : undefined}
      >
        Share
      </button>
      <p className={message && state === 'copied' ? 'share-status share-status-done' : 'share-status'} role="status">
        {message}
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
