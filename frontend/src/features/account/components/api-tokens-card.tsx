/** The API tokens card: create a token (its secret shown once), the list, and what changed. */
import { useRef, useState } from 'react';
import { useCreateApiToken } from '../api/create-api-token';
import type { ApiToken } from '../api/list-api-tokens';
import { ApiTokenList } from './api-token-list';
import { CreateApiTokenForm } from './create-api-token-form';
import { CreatedApiTokenPanel } from './created-api-token';
import '../account.css';

/** API tokens for third-party clients: create one (its secret shown once), list, revoke. */
export function ApiTokensCard() {
  const create = useCreateApiToken();
  const nameRef = useRef<HTMLInputElement>(null);
  const listHeadingRef = useRef<HTMLHeadingElement>(null);
  const [status, setStatus] = useState('');

  const revoked = (token: ApiToken) => {
    // A secret still on screen belongs to a token that no longer works: it goes too.
    if (create.data?.id === token.id) create.reset();
    setStatus(`Token “${token.name}” revoked.`);
    // Its row (and the focused button in it) is gone: continue from the list.
    listHeadingRef.current?.focus();
  };

  return (
    <section className="card account-card" aria-labelledby="account-api-tokens">
      <h3 id="account-api-tokens" className="account-card-title">API tokens</h3>
      <p className="muted">
        Let your own scripts read your Instacrush data. A script exchanges its token at{' '}
        <code>POST /api/auth/token</code> for a short-lived access token, sent as{' '}
        <code>Authorization: Bearer …</code>. Tokens do not expire: revoke the ones you no longer use.
      </p>
      {create.data ? (
        <CreatedApiTokenPanel
          token={create.data}
          onDone={() => {
            create.reset();
            nameRef.current?.focus();
          }}
        />
      ) : null}
      <CreateApiTokenForm create={create} nameRef={nameRef} />
      <h4 id="account-api-token-list" ref={listHeadingRef} tabIndex={-1} className="token-list-title">
        Your tokens
      </h4>
      <ApiTokenList onRevoked={revoked} />
      <p className="account-status" role="status">
        {status}
      </p>
    </section>
  );
}
