import { ApiError } from '@/lib/api';

/** Whether `error` is the API saying "not signed in" (after the client's silent refresh). */
export function isSignedOut(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}
