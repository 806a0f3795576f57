/** A just-created API token: its secret, shown this once, with Copy and "Done". */
import { useEffect, useRef, useState } from 'react';
import type { CreatedApiToken } from '../api/create-api-token';
import '../account.css';

type CopyState = 'idle' | 'copied' | 'failed';

const COPY_MESSAGES: Record<CopyState, string> = {
  idle: '',
  copied: 'Copied to the clipboard.',
  failed: 'Could not copy: select the secret and copy it yourself.',
};

/** A just-created token's secret, shown this once, read-only, with a Copy button. */
export function CreatedApiTokenPanel({ token, onDone }: { token: CreatedApiToken; onDone: () => void }) {
  const secretRef = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<CopyState>('idle');

  // The secret is what matters now: take the reader straight to it.
  useEffect(() => {
    secretRef.current?.focus();
    secretRef.current?.select();
  }, [token.id]);

  const copySecret = async () => {
    secretRef.current?.select();
    try {
      await navigator.clipboard.writeText(token.token);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };

  return (
    <div className="token-created" role="region" aria-labelledby="token-created-title">
      <h4 id="token-created-title">Token “{token.name}” created</h4>
      <p id="token-created-note">
        <strong>Copy the secret now: you won’t see it again.</strong> Instacrush keeps only a
        fingerprint of it. If you lose it, revoke the token and create a new one.
      </p>
      <label className="account-label" htmlFor="token-created-secret">
        Secret
      </label>
      <div className="token-secret-row">
        <input
          id="token-created-secret"
          ref={secretRef}
          className="account-input account-input-mono"
          type="text"
          readOnly
          value={token.token}
          aria-describedby="token-created-note"
          autoComplete="off"
          spellCheck={false}
          onFocus={(event) => {
            event.currentTarget.select();
          }}
        />
        <button type="button" className="button button-small" onClick={() => void copySecret()}>
          Copy
        </button>
      </div>
      <p className="account-status" role="status">
        {COPY_MESSAGES[copy]}
      </p>
      <button type="button" className="button button-small" onClick={onDone}>
        Done, I saved it
      </button>
    </div>
  );
}
