/** The form naming a new API token; the field shows why the API refused a name. */
import { useState, type SubmitEvent, type RefObject } from 'react';
import { ErrorNotice } from '@/components/ui/error-notice';
import { ApiError } from '@/lib/api';
import type { useCreateApiToken } from '../api/create-api-token';
import '../account.css';

const MAX_NAME = 100;

/** Names a new token; the API's verdict on a bad name is shown by the field. */
export function CreateApiTokenForm({
  create,
  nameRef,
}: {
  create: ReturnType<typeof useCreateApiToken>;
  nameRef: RefObject<HTMLInputElement | null>;
}) {
  const [name, setName] = useState('');
  const [missing, setMissing] = useState(false);
  const rejected = create.error instanceof ApiError && create.error.status === 422 ? create.error : undefined;
  const fieldError = missing ? 'Give the token a name.' : rejected?.message;

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = name.trim();
    setMissing(trimmed === '');
    if (trimmed === '') {
      nameRef.current?.focus();
      return;
    }
    create.mutate(trimmed, {
      onSuccess: () => {
        setName('');
      },
    });
  };

  return (
    <form className="token-form" onSubmit={submit} noValidate>
      <label className="account-label" htmlFor="token-name">
        Token name
      </label>
      <p id="token-name-hint" className="muted">
        What it is for, e.g. “my script” (up to {MAX_NAME} characters).
      </p>
      <div className="token-form-row">
        <input
          id="token-name"
          ref={nameRef}
          className="account-input"
          type="text"
          value={name}
          maxLength={MAX_NAME}
          autoComplete="off"
          aria-required="true"
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? 'token-name-hint token-name-error' : 'token-name-hint'}
          onChange={(event) => {
            setName(event.target.value);
            setMissing(false);
          }}
        />
        <button type="submit" className="button button-primary button-small" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </button>
      </div>
      {fieldError ? (
        <p id="token-name-error" className="field-error" role="alert">
          {fieldError}
        </p>
      ) : null}
      {create.isError && !rejected ? (
        <ErrorNotice error={create.error} what="We could not create the token" />
      ) : null}
    </form>
  );
}
