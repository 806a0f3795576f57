/** The list of my API tokens: each with its dates, and "Revoke" behind a confirmation step. */
import { useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { ErrorNotice } from '@/components/ui/error-notice';
import { useApiTokens, type ApiToken } from '../api/list-api-tokens';
import { useRevokeApiToken } from '../api/revoke-api-token';
import { TimeAgo } from '@/components/ui/time-ago';
import '../account.css';

/** The user's tokens, each with its dates and a confirmed "Revoke". */
export function ApiTokenList({ onRevoked }: { onRevoked: (token: ApiToken) => void }) {
  const tokens = useApiTokens();

  if (tokens.isPending) {
    return (
      <p className="muted token-list-placeholder" aria-busy="true">
        Loading your tokens…
      </p>
    );
  }
  if (tokens.isError) {
    return (
      <ErrorNotice
        error={tokens.error}
        what="We could not load your API tokens"
        onRetry={() => void tokens.refetch()}
      />
    );
  }
  if (tokens.data.length === 0) {
    return <p className="muted token-list-placeholder">You have no API tokens.</p>;
  }
  return (
    <ul className="token-list">
      {tokens.data.map((token) => (
        <ApiTokenRow key={token.id} token={token} onRevoked={onRevoked} />
      ))}
    </ul>
  );
}

function ApiTokenRow({ token, onRevoked }: { token: ApiToken; onRevoked: (token: ApiToken) => void }) {
  const [confirming, setConfirming] = useState(false);
  const revokeRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const revoke = useRevokeApiToken({
    onSuccess: () => {
      onRevoked(token);
    },
  });
  const questionId = `token-${token.id}-revoke-question`;

  // Focus follows the step: to "Cancel" (the safe choice) when asking, back to "Revoke" after.
  const ask = () => {
    flushSync(() => {
      setConfirming(true);
    });
    cancelRef.current?.focus();
  };
  const cancel = () => {
    flushSync(() => {
      setConfirming(false);
    });
    revoke.reset();
    revokeRef.current?.focus();
  };

  return (
    <li className="token-item">
      <div className="token-info">
        <p className="token-name">{token.name}</p>
        <p className="token-prefix">
          <code>{token.prefix}…</code>
        </p>
        <dl className="token-dates">
          <div>
            <dt>Created</dt>
            <dd>
              <TimeAgo iso={token.created_at} />
            </dd>
          </div>
          <div>
            <dt>Last used</dt>
            <dd>{token.last_used_at ? <TimeAgo iso={token.last_used_at} /> : 'Never'}</dd>
          </div>
        </dl>
      </div>
      <div className="token-actions">
        {confirming ? (
          <div
            className="token-confirm"
            role="group"
            aria-labelledby={questionId}
            onKeyDown={(event) => {
              if (event.key === 'Escape') cancel();
            }}
          >
            <p id={questionId}>
              Revoke “{token.name}”? Apps using it stop working at once.
            </p>
            <div className="actions">
              <button
                type="button"
                className="button button-small button-danger"
                onClick={() => {
                  revoke.mutate(token.id);
                }}
                disabled={revoke.isPending}
                aria-label={revoke.isPending ? `Revoking ${token.name}` : `Yes, revoke ${token.name}`}
              >
                {revoke.isPending ? 'Revoking…' : 'Yes, revoke'}
              </button>
              <button ref={cancelRef} type="button" className="button button-small" onClick={cancel}>
                Cancel
              </button>
            </div>
          </div>
        ) : (
          <button
            ref={revokeRef}
            type="button"
            className="button button-small"
            onClick={ask}
            aria-label={`Revoke ${token.name}`}
          >
            Revoke
          </button>
        )}
        {revoke.isError ? <ErrorNotice error={revoke.error} what="We could not revoke the token" /> : null}
      </div>
    </li>
  );
}
