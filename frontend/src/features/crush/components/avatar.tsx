/** A profile picture, or the username's initial when there is none or it does not load. */
import { Picture } from '@/components/ui/picture';
import type { CrushAccount } from '../api/get-crush';
import '../crush.css';

export function Avatar({ account }: { account: CrushAccount }) {
  const initial = /[\p{L}\p{N}]/u.exec(account.username)?.[0]?.toUpperCase() ?? '?';
  return (
    <Picture
      src={account.profile_picture_url}
      alt={`Profile picture of @${account.username}`}
      fallback={initial}
      className="avatar"
      fallbackClassName="avatar-fallback"
      size={96}
      // The username is written beside it: the initial adds nothing for screen readers.
      decorativeFallback
      eager
    />
  );
}
