// The global styles come first: every feature's stylesheet, loaded after them, may refine them.
import './index.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { dropEmptyFragment } from './lib/location';

dropEmptyFragment();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
