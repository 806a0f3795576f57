import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { takeUnexpectedRequests } from './mock-api';

// jsdom does not scroll; React Router's ScrollRestoration calls this after navigations.
window.scrollTo = () => undefined;

// Tests answer who-am-I from their mock API: the browser may hold a session (see
// features/auth/session-hint.ts); a test of a browser without one clears the cookie.
beforeEach(() => {
  document.cookie = 'ic_signed_in=1; path=/';
});

afterEach(() => {
  cleanup();
  const unexpected = takeUnexpectedRequests();
  if (unexpected.length > 0) {
    throw new Error(`requests the test did not mock: ${unexpected.join(', ')}`);
  }
});
