// @ts-check
import { defineConfig } from 'astro/config';

// A static site: every lesson page is prebuilt HTML; the broker and editor load in the browser.
export default defineConfig({
  site: 'http://localhost:4321',
  server: { host: '127.0.0.1', port: 4321 },
  devToolbar: { enabled: false },
});
