import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { localWebApp } from '../../local/web-app.ts';
import { WEB_DIST } from '../../web/build.ts';
import { startLocalRuntime } from '../support/local-runtime.ts';

/** Debian's chromium (Playwright's own download cannot be reached here); .ci/run installs it. */
export const CHROMIUM =
  process.env.CHROMIUM_PATH ??
  (existsSync('/usr/bin/chromium')
    ? '/usr/bin/chromium'
    : execFileSync('sh', ['-c', 'command -v chromium || true'], { encoding: 'utf8' }).trim() ||
      '/usr/bin/chromium');

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`chromium is missing at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

export const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
} as const;

/**
 * The local runtime (npm start's) on a fresh table with the demo clinic seeded at `seededAt`, its
 * clock then moved to `now`, serving the built web app; jobs fire only when a test ticks.
 */
export async function startApp(seededAt: string, now: string) {
  let clock = seededAt;
  const lines: string[] = [];
  const runtime = await startLocalRuntime({
    print: (line) => lines.push(line),
    realNow: () => clock,
    tickMs: 3_600_000,
    web: localWebApp({ dir: WEB_DIST }),
  });
  clock = now;
  return { runtime, lines, url: runtime.url, deps: runtime.system.deps, scheduler: runtime.system.scheduler };
}

/** A browser context whose clock shows `now` (the same instant the runtime's clock shows). */
export async function openContext(
  browser: Browser,
  viewport: (typeof VIEWPORTS)[keyof typeof VIEWPORTS],
  now: string,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ ...viewport });
  await context.clock.setFixedTime(new Date(now));
  const page = await context.newPage();
  const errors: string[] = [];
  // A CSP violation or a script error fails the test: the headers are CloudFront's.
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  return { context, page, errors };
}

/** Signs in locally with a role and programs (npm start's sign-in). */
export async function signIn(page: Page, url: string, role: 'clinician' | 'admin', programs: string[] = []) {
  await page.goto(`${url}/signin`);
  await page.getByRole('radio', { name: role }).check();
  if (role === 'clinician') {
    // The programs to pick from load after the page: wait for them, or the default pick stands.
    await page.getByRole('checkbox').first().waitFor();
    for (const box of await page.getByRole('checkbox').all()) {
      const value = await box.getAttribute('value');
      if (programs.includes(value ?? '')) await box.check();
      else await box.uncheck();
    }
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `${what}: axe violations`).toEqual([]);
}
