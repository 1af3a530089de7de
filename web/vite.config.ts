import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The care-team web app: built into web/dist, served by CloudFront (S3) in AWS and by npm start locally. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No source maps in the deployed bucket; no inline scripts (the CSP allows 'self' only).
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  // npm run web:dev: pages reload as they change, the API and config.json come from npm start.
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/config.json': 'http://localhost:3000',
    },
  },
  logLevel: 'warn',
});
