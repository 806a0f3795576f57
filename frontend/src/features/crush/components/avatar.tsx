/** A profile picture, or the username's initial when there is none or it does not load. */
import { useState } from 'react';
import type { CrushAccount } from '../api/get-crush';
import '../crush.css';

export function Avatar({ account }: { account: CrushAccount }) {
  const [broken, setBroken] = useState(false);
  const url = account.profile_picture_url;
  if (!url || broken) {
    const initial = /[\p{L}\p{N}]/u.exec(account.username)?.[0]?.toUpperCase() ?? '?';
    // The username is written beside it: the initial adds nothing for screen readers.
    return (
      <span className="avatar avatar-fallback" aria-hidden="true">
        {initial}
      </span>
    );
  }
  return (
    <img
      className="avatar"
      src={url}
      alt={`Profile picture of @${account.username}`}
      width={96}
      height={96}
      decoding="async"
      referrerPolicy="no-referrer"
      onError={() => {
        setBroken(true);
      }}
    />
  );
}
