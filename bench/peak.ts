import type { OneTimeJob } from '../functions/ports/job-scheduler.port.ts';
import { round } from './support.ts';

/** Origination throughput (message parts per second): US toll-free, a typical 10DLC campaign, short code. */
export const SMS_RATES = [
  { rate: 3, identity: 'toll-free' },
  { rate: 20, identity: '10DLC' },
  { rate: 100, identity: 'short code' },
] as const;

/**
 * send-reminder skips a reminder that runs more than this after its planned time
 * (FIRE_TOLERANCE_MINUTES in functions/use-cases/send-sms.ts, compared with the clock at run time).
 */
export const FIRE_TOLERANCE_MINUTES = 15;

export interface PeakResult {
  /** The most SMS jobs due in one minute, and that minute (UTC). */
  peakPerMinute: number;
  peakMinute: string;
  /** The five busiest minutes. */
  busiestMinutes: { minute: string; jobs: number }[];
  /** SMS jobs in the week. */
  smsJobs: number;
  atRates: {
    rate: number;
    identity: string;
    /** Time to send the peak minute's messages at this rate. */
    seconds: number;
    /** The last message's delay after its planned time. */
    lastMessageLateMinutes: number;
    /** Sent within the tolerance if the send path keeps up with the rate. */
    withinTolerance: number;
    /** Would arrive after FIRE_TOLERANCE_MINUTES: skipped as "not due" if the backlog sits in front of the Lambda. */
    beyondTolerance: number;
    /** Minutes to spread the peak over to stay within this rate (the fix). */
    spreadMinutesNeeded: number;
  }[];
}

export function peakLoad(jobs: OneTimeJob[], isSms: (job: OneTimeJob) => boolean): PeakResult {
  const perMinute = new Map<string, number>();
  let smsJobs = 0;
  for (const job of jobs) {
    if (!isSms(job)) continue;
    smsJobs++;
    const minute = job.at.slice(0, 16);
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
  }
  const busiest = [...perMinute].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
  const [peakMinute, peak] = busiest[0] ?? ['', 0];
  return {
    peakPerMinute: peak,
    peakMinute: `${peakMinute}Z`,
    busiestMinutes: busiest.map(([minute, n]) => ({ minute: `${minute}Z`, jobs: n })),
    smsJobs,
    atRates: SMS_RATES.map(({ rate, identity }) => {
      const seconds = peak / rate;
      const withinTolerance = Math.min(peak, rate * FIRE_TOLERANCE_MINUTES * 60);
      return {
        rate,
        identity,
        seconds: round(seconds, 0),
        lastMessageLateMinutes: round(seconds / 60, 1),
        withinTolerance,
        beyondTolerance: peak - withinTolerance,
        spreadMinutesNeeded: Math.ceil(peak / (rate * 60)),
      };
    }),
  };
}
