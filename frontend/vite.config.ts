/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The backend (`make run`) listens here; the dev server proxies the API to it so that
// cookies stay same-origin, exactly as in production where the backend serves `dist/`.
const backend = process.env.INSTACRUSH_BACKEND ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    // The same host as the backend's PUBLIC_URL when you sign in through the dev server
    // (`PUBLIC_URL=http://127.0.0.1:5173 make run`): cookies are per host.
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/healthz': { target: backend, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Vite's default: content-hashed files under `assets/`, which never change once served.
    assetsDir: 'assets',
    rolldownOptions: {
      output: {
        // The libraries change far less often than the app: in chunks of their own, a new
        // release of the app leaves them in the browser's cache (they are immutable for a year).
        codeSplitting: {
          groups: [
            { name: 'react', test: /\/node_modules\/(react|react-dom|scheduler)\//, priority: 3 },
            { name: 'router', test: /\/node_modules\/react-router\//, priority: 2 },
            { name: 'libraries', test: /\/node_modules\//, priority: 1 },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/testing/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
