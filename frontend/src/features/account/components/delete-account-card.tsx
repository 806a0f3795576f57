/** The danger zone: deleting the account and its data, confirmed by typing the username. */
import { useRef, useState, type SubmitEvent } from 'react';
import { flushSync } from 'react-dom';
import { ErrorNotice } from '@/components/ui/error-notice';
import { useDeleteAccount } from '../api/delete-account';
import '../account.css';

/** What the person types to confirm: their username (without the "@"), any case. */
function normalise(value: string): string {
  return value.trim().replace(/^@/, '').toLowerCase();
}

/**
 * The danger zone: deleting the account and all its data, behind a second step where the
 * person types their username. Escape or "Cancel" leaves it, with focus back where it was.
 */
export function DeleteAccountCard({ username, onDeleted }: { username: string | null | undefined; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const openRef = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const remove = useDeleteAccount({ onSuccess: onDeleted });
  const expected = username ?? 'delete';

  const open = () => {
    flushSync(() => {
      setConfirming(true);
    });
    inputRef.current?.focus();
  };
  const cancel = () => {
    flushSync(() => {
      setConfirming(false);
      setTyped('');
      setMismatch(false);
    });
    remove.reset();
    openRef.current?.focus();
  };
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const matches = normalise(typed) === normalise(expected);
    setMismatch(!matches);
    if (matches) remove.mutate();
    else inputRef.current?.focus();
  };

  return (
    <section className="card account-card danger-zone" aria-labelledby="account-delete">
      <h2 id="account-delete">Delete your account</h2>
      <p>
        This deletes your account and everything Instacrush keeps about you: the Instagram
        connection, your synced posts and comments, your crush page, your API tokens and your sync
        history. It cannot be undone. You can sign in again later as a new user.
      </p>
      {confirming ? (
        <form
          className="danger-confirm"
          aria-labelledby="account-delete-confirm"
          onSubmit={submit}
          onKeyDown={(event) => {
            if (event.key === 'Escape') cancel();
          }}
          noValidate
        >
          <h3 id="account-delete-confirm">Are you sure?</h3>
          <label className="account-label" htmlFor="account-delete-input">
            Type {expected} to confirm
          </label>
          <input
            id="account-delete-input"
            ref={inputRef}
            className="account-input"
            type="text"
            value={typed}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            aria-invalid={mismatch ? true : undefined}
            aria-describedby={mismatch ? 'account-delete-error' : undefined}
            onChange={(event) => {
              setTyped(event.target.value);
              setMismatch(false);
            }}
          />
          {mismatch ? (
            <p id="account-delete-error" className="field-error" role="alert">
              That is not “{expected}”. Type it exactly to delete your account.
            </p>
          ) : null}
          <div className="actions">
            <button type="submit" className="button button-danger-solid" disabled={remove.isPending}>
              {remove.isPending ? 'Deleting…' : 'Delete my account and data'}
            </button>
            <button type="button" className="button" onClick={cancel}>
              Cancel
            </button>
          </div>
          {remove.isError ? <ErrorNotice error={remove.error} what="We could not delete your account" /> : null}
        </form>
      ) : (
        <div className="actions">
          <button ref={openRef} type="button" className="button button-danger" onClick={open}>
            Delete my account…
          </button>
        </div>
      )}
    </section>
  );
}
