import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { takeUnexpectedRequests } from './mock-api';

// jsdom does not scroll; React Router's ScrollRestoration calls this after navigations.
window.scrollTo = () => undefined;

afterEach(() => {
  cleanup();
  const unexpected = takeUnexpectedRequests();
  if (unexpected.length > 0) {
    throw new Error(`requests the test did not mock: ${unexpected.join(', ')}`);
  }
});
