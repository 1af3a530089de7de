import { describe, expect, it } from 'vitest';
import { smsKeyword } from '../../functions/domain/inbound-sms.ts';
import { expectSpecRules, runScenario } from './run-scenario.ts';

describe('scenario replies-and-spanish.json: replies of every kind, a reschedule, Spanish clients', () => {
  it('keeps every rule of the scenario spec, version 2 replies included', async () => {
    const { scenario, events, jobErrors } = await runScenario('scenarios/replies-and-spanish.json');
    expect(jobErrors).toEqual([]);
    expectSpecRules(scenario, events);

    const received = events.filter((e) => e.type === 'sms.received').map((e) => e.keyword);
    for (const keyword of ['stop', 'start', 'help', 'confirm', 'other'])
      expect(received, `a ${keyword} reply`).toContain(keyword);
    expect(events.filter((e) => e.type === 'session.confirmed').length).toBeGreaterThanOrEqual(4);
    expect(events.some((e) => e.type === 'session.rescheduled')).toBe(true);

    // Spanish clients get Spanish, of every purpose the run sends them.
    const spanish = new Set(scenario.clients.filter((c) => c.language === 'es').map((c) => c.id));
    const toSpanish = events.filter((e) => e.type === 'sms.sent' && spanish.has(String(e.clientId)));
    expect(new Set(toSpanish.map((e) => e.purpose))).toEqual(
      new Set(['reminder', 'missed-session', 'screen-notice', 'opt-in', 'help']),
    );
    for (const e of toSpanish)
      expect(String(e.body)).toMatch(/^Harbor Point: .* Responda STOP para darse de baja\.$/);
    const toEnglish = events.filter((e) => e.type === 'sms.sent' && !spanish.has(String(e.clientId)));
    for (const e of toEnglish) expect(String(e.body)).toMatch(/Reply STOP to opt out\.$/);

    // The text of a reply is in no event but its own record (staff read it in the API).
    const others = scenario.actions.flatMap((a) =>
      a.type === 'sms-reply' && smsKeyword(a.text) === 'other' ? [a.text.trim().toLowerCase()] : [],
    );
    expect(others.length).toBeGreaterThan(2);
    const everything = JSON.stringify(events).toLowerCase();
    expect(others.filter((text) => everything.includes(text))).toEqual([]);
  });
});
