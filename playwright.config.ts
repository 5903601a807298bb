import { defineConfig } from '@playwright/test';

// E2E runs against the built site (astro build + preview), in Debian's Chromium:
// Playwright cannot download its own browsers here.
const PORT = 4329;
const HOST = '127.0.0.1';
const CI = Boolean(process.env['CI']);

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  fullyParallel: true,
  forbidOnly: CI,
  retries: 0,
  // CI machines have 2 cores, and the preview server needs one of them.
  ...(CI ? { workers: 1 } : {}),
  timeout: 30_000,
  globalTimeout: 10 * 60_000,
  expect: { timeout: 5_000 },
  reporter: 'list',
  use: {
    baseURL: `http://${HOST}:${PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium', viewport: { width: 1280, height: 800 } } }],
  webServer: {
    // --ignore-lock: Astro 7 allows one tracked preview per project and may background it when
    // it thinks an agent runs it; the test server must neither clash with a developer's preview
    // nor detach from Playwright, which stops it at the end.
    command: `npm run build && npm run preview -- --port ${PORT} --host ${HOST} --ignore-lock`,
    url: `http://${HOST}:${PORT}/`,
    reuseExistingServer: !CI,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { ASTRO_TELEMETRY_DISABLED: '1' },
  },
});
