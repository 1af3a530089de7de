import { chromium } from 'playwright-core';
import { recordStaffAttendance } from '../functions/use-cases/attendance.ts';
import { createTable, documentClient, startDynamoLocal } from '../local/adapters/dynamo-local.ts';
import { startRuntime } from '../local/runtime.ts';
import { localWebApp } from '../local/web-app.ts';
import { ensureWebBuild, WEB_DIST } from '../web/build.ts';

/**
 * npm run screenshots: the README's pictures of Today and Flags at phone size (390 x 844), taken
 * from the demo clinic on a throwaway DynamoDB Local, a day after it was seeded, with one client
 * marked absent twice (so a flag is open). Needs Java and chromium (CHROMIUM_PATH to override).
 */
const SEEDED = '2027-01-05T15:00:00Z';
const NOW = '2027-01-06T16:00:00Z';

await ensureWebBuild(console.log);
const dynamo = await startDynamoLocal();
await createTable(dynamo.endpoint, 'screenshots');
let clock = SEEDED;
const runtime = await startRuntime({
  doc: documentClient(dynamo.endpoint),
  tableName: 'screenshots',
  port: 0,
  print: () => undefined,
  seedDemo: true,
  realNow: () => clock,
  tickMs: 3_600_000,
  web: localWebApp({ dir: WEB_DIST }),
});
clock = NOW;
runtime.system.clock.set(NOW);
const { deps } = runtime.system;
const sessions = await deps.sessions.listSessionsByClient('sunrise', 'c-001', { to: NOW });
for (const s of sessions.filter((s) => s.kind === 'group'))
  await recordStaffAttendance(deps, { programId: 'sunrise', sessionId: s.sessionId, status: 'absent' });
const today = (await deps.sessions.listSessionsByWeek('sunrise', '2027-W01')).filter(
  (s) => s.date === '2027-01-06' && s.clientId === 'c-002' && s.kind === 'group',
);
for (const s of today)
  await recordStaffAttendance(deps, { programId: 'sunrise', sessionId: s.sessionId, status: 'present' });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  await context.clock.setFixedTime(new Date(NOW));
  const page = await context.newPage();
  await page.goto(`${runtime.url}/signin`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'absent c-001 10:03' }).waitFor();
  await page.screenshot({ path: 'docs/screenshots/today.png' });
  await page.getByRole('link', { name: 'Flags' }).click();
  await page.getByRole('link', { name: 'Consecutive misses: c-001' }).waitFor();
  await page.screenshot({ path: 'docs/screenshots/flags.png' });
  console.log('docs/screenshots/today.png, docs/screenshots/flags.png');
} finally {
  await browser.close();
  await runtime.stop();
  await dynamo.stop();
}
