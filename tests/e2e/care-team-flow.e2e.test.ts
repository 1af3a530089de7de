import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalationJobName } from '../../functions/use-cases/flags.ts';
import { drawScreensForDay } from '../../functions/use-cases/screens.ts';
import { expectAccessible, launchBrowser, openContext, signIn, startApp, VIEWPORTS } from './harness.ts';

// The demo clinic seeded on Tuesday 2027-01-05 10:00 New York: c-001's morning group meets daily at
// 10:03. A day and an hour later both of its sessions so far are over.
const SEEDED = '2027-01-05T15:00:00Z';
const NOW = '2027-01-06T16:00:00Z';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

describe.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])('the care-team app (%s)', (size) => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let ui: Awaited<ReturnType<typeof openContext>>;

  beforeAll(async () => {
    app = await startApp(SEEDED, NOW);
    ui = await openContext(browser, VIEWPORTS[size], NOW);
  });
  afterAll(async () => {
    await ui?.context.close();
    await app?.runtime.stop();
  });

  it('signs in, marks a client absent twice, and works the flag that follows to its resolution', async () => {
    const { page } = ui;
    await page.goto(`${app.url}/`);
    await page.waitForURL(/\/signin$/);
    await expectAccessible(page, 'sign-in');
    await signIn(page, app.url, 'clinician', ['sunrise']);
    await page.waitForURL(/\/programs\/sunrise\/today$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Today');

    // Yesterday's group, then today's: absent both times.
    await page.getByRole('button', { name: 'Previous day' }).click();
    await page.getByRole('heading', { name: '2027-01-05' }).waitFor();
    const yesterday = page.getByRole('button', { name: 'absent c-001 10:03' });
    await yesterday.click();
    await expect.poll(() => yesterday.getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Today', exact: true }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await expectAccessible(page, 'today');
    const today = page.getByRole('button', { name: 'absent c-001 10:03' });
    await today.click();
    await expect.poll(() => today.getAttribute('aria-pressed')).toBe('true');

    // The flag appears, with its evidence, and an escalation is waiting for it.
    await page.getByRole('link', { name: 'Flags' }).click();
    const flagLink = page.getByRole('link', { name: 'Consecutive misses: c-001' });
    await flagLink.waitFor();
    await expectAccessible(page, 'flags');
    const [flag] = await app.deps.flags.listOpenFlags('sunrise');
    expect(flag).toMatchObject({ clientId: 'c-001', rule: 'consecutive-misses' });
    expect(app.scheduler.has(escalationJobName(flag!.flagId))).toBe(true);

    // The alert's link to the flag is a page of the app (the list links there too).
    const alert = app.runtime.system.activity.ofType('careteam.alert').find((e) => e.flagId === flag!.flagId);
    const flagPath = new URL(/Flag: (\S+)/.exec(String(alert?.body))![1]!).pathname;
    expect(flagPath).toBe(`/programs/sunrise/flags/${flag!.flagId}`);
    expect(await flagLink.getAttribute('href')).toBe(flagPath);
    await page.goto(`${app.url}${flagPath}`);
    await page.getByRole('button', { name: 'Acknowledge' }).waitFor();
    await expectAccessible(page, 'flag');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.getByTestId('flag-state').textContent()).toMatch(/^Acknowledged/);
    expect(app.scheduler.has(escalationJobName(flag!.flagId))).toBe(false);

    await page.getByLabel('Resolution note').fill('Called the client; back on Thursday.');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => page.getByTestId('flag-state').textContent()).toMatch(/^Resolved/);
    const audit = await page.locator('.audit').textContent();
    expect(audit).toContain('acknowledged by local-clinician');
    expect(audit).toContain('resolved by local-clinician');
    expect(await app.deps.flags.getFlag('sunrise', flag!.flagId)).toMatchObject({
      status: 'resolved',
      note: 'Called the client; back on Thursday.',
    });

    // The client's timeline holds the two absences and the flag.
    await page.getByRole('link', { name: 'Client c-001' }).click();
    await page.getByRole('heading', { name: 'Client c-001' }).waitFor();
    await expectAccessible(page, 'client');
    const timeline = await page.locator('.timeline').textContent();
    expect(timeline?.match(/group session \(skills\): absent/g)).toHaveLength(2);
    expect(timeline).toContain('Flag Consecutive misses: resolved');
    expect(ui.errors).toEqual([]);
  });

  it("shows the API's message at the phone field of a bad enrolment, and writes nothing", async () => {
    const { page } = ui;
    await page.getByRole('link', { name: 'Enrol' }).click();
    await page.getByRole('heading', { name: 'Enrol a client' }).waitFor();
    await expectAccessible(page, 'enrol');
    await page.getByLabel('Client id').fill('c-100');
    await page.getByLabel(/Mobile phone/).fill('555');
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    const error = page.locator('#f-phone-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/E\.164|phone/i);
    expect(await page.getByLabel(/Mobile phone/).getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'enrol with an error');
    expect(await app.deps.clients.getClient('sunrise', 'c-100')).toBeUndefined();
    expect(await app.deps.sessions.listSessionsByClient('sunrise', 'c-100')).toEqual([]);
  });

  it('shows the screens page and, to an admin, the program settings, accessibly', async () => {
    const { page } = ui;
    await page.getByRole('link', { name: 'Screens' }).click();
    await page.getByRole('heading', { name: 'Screens' }).waitFor();
    await page.getByTestId('never-selected').waitFor();
    await expectAccessible(page, 'screens');
    await signIn(page, app.url, 'admin');
    await page.goto(`${app.url}/programs/sunrise/settings`);
    await page.getByRole('heading', { name: 'Program settings' }).waitFor();
    await expectAccessible(page, 'settings');
    await page.getByLabel('Start').first().fill('25:00');
    await page.getByRole('button', { name: 'Preview the week' }).click();
    await page.locator('#f-tracks-0-groups-0-start-error').waitFor();
    await expectAccessible(page, 'settings with an error');
  });
});

describe('a clinician of one program', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let ui: Awaited<ReturnType<typeof openContext>>;

  beforeAll(async () => {
    app = await startApp(SEEDED, NOW);
    const other = await app.deps.programs.getProgram('sunrise');
    await app.deps.programs.createProgram({ ...other!, id: 'moonrise', name: 'Moonrise' });
    await app.deps.clients.createClient('moonrise', {
      ...(await app.deps.clients.getClient('sunrise', 'c-002'))!,
      id: 'c-900',
    });
    ui = await openContext(browser, VIEWPORTS.phone, NOW);
  });
  afterAll(async () => {
    await ui?.context.close();
    await app?.runtime.stop();
  });

  it('never sees another program: not in the picker, not through a link', async () => {
    const { page } = ui;
    await signIn(page, app.url, 'clinician', ['sunrise']);
    await page.waitForURL(/\/programs\/sunrise\/today$/);
    await expect
      .poll(() => page.getByLabel('Program').locator('option').allTextContents())
      .toEqual(['Sunrise']);
    await page.goto(`${app.url}/programs/moonrise/clients/c-900`);
    await page.getByText('not allowed for program moonrise').first().waitFor();
    expect(await page.locator('.timeline').count()).toBe(0);
    await page.goto(`${app.url}/programs/moonrise/flags`);
    await page.getByText('not allowed for program moonrise').first().waitFor();
  });

  it('opens an alert link (client) after sign-in', async () => {
    const { page } = ui;
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${app.url}/programs/sunrise/clients/c-001`);
    await page.waitForURL(/\/signin$/);
    await signIn(page, app.url, 'clinician', ['sunrise']);
    await page.waitForURL(/\/programs\/sunrise\/clients\/c-001$/);
    await page.getByRole('heading', { name: 'Client c-001' }).waitFor();
  });
});

describe('the session', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let ui: Awaited<ReturnType<typeof openContext>>;

  beforeAll(async () => {
    app = await startApp(SEEDED, NOW);
    ui = await openContext(browser, VIEWPORTS.phone, NOW);
  });
  afterAll(async () => {
    await ui?.context.close();
    await app?.runtime.stop();
  });

  it('ends after 15 minutes without activity: the next tap goes to sign-in, and no call leaves', async () => {
    const { page, context } = ui;
    await signIn(page, app.url, 'clinician', ['sunrise']);
    await page.waitForURL(/\/programs\/sunrise\/today$/);
    await page.getByRole('button', { name: 'absent c-001 10:03' }).waitFor();
    await page.waitForLoadState('networkidle');
    const calls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/')) calls.push(r.url());
    });
    await context.clock.setFixedTime(new Date(Date.parse(NOW) + 16 * 60_000));
    await page.getByRole('link', { name: 'Flags' }).click();
    await page.waitForURL(/\/signin\?ended=/);
    // Only the local sign-in page's list of programs to pick from; the Flags page's call never left.
    expect(calls.filter((url) => !url.endsWith('/api/programs?limit=200'))).toEqual([]);
    expect(await page.evaluate(() => sessionStorage.getItem('cadence.session'))).toBeNull();
  });
});

describe("a counselor's other actions (phone)", () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let ui: Awaited<ReturnType<typeof openContext>>;

  beforeAll(async () => {
    app = await startApp(SEEDED, NOW);
    ui = await openContext(browser, VIEWPORTS.phone, NOW);
    await signIn(ui.page, app.url, 'clinician', ['sunrise']);
    await ui.page.waitForURL(/\/programs\/sunrise\/today$/);
  });
  afterAll(async () => {
    await ui?.context.close();
    await app?.runtime.stop();
  });

  it('enrols a client after previewing the week it produces, and lands on their page', async () => {
    const { page } = ui;
    await page.getByRole('link', { name: 'Enrol' }).click();
    await page.getByLabel('Client id').fill('c-100');
    await page.getByLabel(/Mobile phone/).fill('+12025550199');
    await page.getByRole('button', { name: 'Preview the week' }).click();
    await page.getByRole('heading', { name: 'Preview of week 2027-W02' }).waitFor();
    expect(await app.deps.clients.getClient('sunrise', 'c-100')).toBeUndefined();
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await page.waitForURL(/\/programs\/sunrise\/clients\/c-100$/);
    await page.getByRole('heading', { name: 'Client c-100' }).waitFor();
    expect(await app.deps.clients.getClient('sunrise', 'c-100')).toMatchObject({
      smsConsent: true,
      consent: { method: 'written' },
    });
  });

  it('opts a client out and back in, and reschedules and cancels their sessions', async () => {
    const { page } = ui;
    await page.goto(`${app.url}/programs/sunrise/clients/c-002`);
    await page.getByRole('button', { name: 'Opt out of SMS' }).click();
    await page.getByRole('button', { name: 'Opt in (verbal consent now)' }).waitFor();
    expect((await app.deps.clients.getClient('sunrise', 'c-002'))!.smsOptedOut).toBe(true);
    await page.getByRole('button', { name: 'Opt in (verbal consent now)' }).click();
    await page.getByRole('button', { name: 'Opt out of SMS' }).waitFor();
    expect(await app.deps.clients.getClient('sunrise', 'c-002')).toMatchObject({
      smsOptedOut: false,
      consent: { method: 'verbal' },
    });

    const upcoming = page.locator('section[aria-labelledby="upcoming"] li');
    const first = upcoming.first();
    await first.locator('input[type="datetime-local"]').fill('2027-01-07T12:00');
    await first.getByRole('button', { name: 'Reschedule' }).click();
    await expect
      .poll(async () =>
        (await app.deps.sessions.listSessionsByClient('sunrise', 'c-002')).map((s) => s.start),
      )
      .toContain('2027-01-07T17:00:00Z');
    const before = (await app.deps.sessions.listSessionsByClient('sunrise', 'c-002')).filter(
      (s) => s.status === 'cancelled',
    ).length;
    await upcoming.first().getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(
        async () =>
          (await app.deps.sessions.listSessionsByClient('sunrise', 'c-002')).filter(
            (s) => s.status === 'cancelled',
          ).length,
      )
      .toBe(before + 1);
    expect(ui.errors).toEqual([]);
  });

  it("shows a client's replies and SMS confirmation, and changes the language they are texted in", async () => {
    const { page } = ui;
    const textIn = (text: string) =>
      fetch(`${app.url}/local/sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: '+12025550101', text }),
      });
    expect((await textIn('C')).status).toBe(200);
    expect((await textIn('running late')).status).toBe(200);
    await page.goto(`${app.url}/programs/sunrise/clients/c-001`);
    await page.getByText('Client texted "running late" (replied)').waitFor();
    await page
      .getByText(/confirmed by the client/)
      .first()
      .waitFor();
    await expectAccessible(page, 'client with replies');
    await page.getByLabel('SMS language').selectOption('es');
    await expect
      .poll(async () => (await app.deps.clients.getClient('sunrise', 'c-001'))!.language)
      .toBe('es');
    expect(ui.errors).toEqual([]);
  });

  it('saves program settings as an admin, and shows the saved quiet hours', async () => {
    const { page } = ui;
    await signIn(page, app.url, 'admin');
    await page.goto(`${app.url}/programs/sunrise/settings`);
    await page.getByLabel('From', { exact: true }).fill('22:00');
    await page.getByLabel('To', { exact: true }).fill('07:30');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await app.deps.programs.getProgram('sunrise'))!.quietHours).toEqual({
      start: '22:00',
      end: '07:30',
    });
  });

  it("shows today's draw with its seed, verified, takes a result, and charts the fairness report", async () => {
    const { page } = ui;
    const program = (await app.deps.programs.getProgram('sunrise'))!;
    await app.deps.programs.putProgram({
      ...program,
      drugScreens: { days: ['WED'], drawAt: '06:00', rate: 0.5, minPerWeek: 0, windowHours: 8 },
    });
    app.runtime.system.clock.set(NOW);
    await drawScreensForDay(app.runtime.system.deps, 'sunrise', '2027-01-06');
    const draw = (await app.deps.screening.getDraw('sunrise', '2027-01-06'))!;
    const [selected] = draw.selections;
    await page.goto(`${app.url}/programs/sunrise/screens`);
    await page.getByText('✓ verified').waitFor();
    expect(await page.locator('.seed code').textContent()).toBe(draw.seed);
    await page.getByLabel('Client id').fill(selected!.clientId);
    await page.getByLabel('Result', { exact: true }).selectOption('negative');
    await page.getByRole('button', { name: 'Record' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Recorded for ${selected!.clientId}` })
      .waitFor();
    expect((await app.deps.screening.getScreen('sunrise', selected!.clientId, '2027-01-06'))!.result).toBe(
      'negative',
    );
    await page.reload();
    await page.getByRole('img', { name: /Times selected against times eligible/ }).waitFor();
    await expectAccessible(page, 'screens with a draw');
  });
});
