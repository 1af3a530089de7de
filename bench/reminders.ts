import { CheckIfPhoneNumberIsOptedOutCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsSmsSender } from '../functions/adapters/aws/sns-notifier.adapter.ts';
import { addMinutes } from '../functions/domain/zoned-time.ts';
import { runJob } from '../functions/handlers/lambda-job.ts';
import { checkAttendanceJob } from '../functions/jobs/check-attendance.job.ts';
import { sendReminderJob } from '../functions/jobs/send-reminder.job.ts';
import type { OneTimeJob } from '../functions/ports/job-scheduler.port.ts';
import { recordAttendance } from '../functions/use-cases/attendance.ts';
import {
  type Dataset,
  depsAt,
  functionSpec,
  median,
  percentile,
  perOperation,
  pool,
  round,
  usageSince,
} from './support.ts';

/** Sends in flight at once: prod's reservedConcurrency for send-reminder (infra/config.ts), or 5 (docs/deploy.md). */
export const SEND_REMINDER_CONCURRENCY = functionSpec('send-reminder').reservedConcurrency ?? 5;

/** SNS behind the real adapter (SnsSmsSender), answered in-process by aws-sdk-client-mock. */
export function mockedSns() {
  const client = new SNSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const mock = mockClient(client);
  let n = 0;
  mock.on(PublishCommand).callsFake(async () => ({ MessageId: `bench-${++n}` }));
  mock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
  const sender = new SnsSmsSender(client, { originationNumber: '+18885550100' });
  return {
    sender,
    calls: () => ({
      publish: mock.commandCalls(PublishCommand).length,
      checkOptedOut: mock.commandCalls(CheckIfPhoneNumberIsOptedOutCommand).length,
    }),
    restore: () => mock.restore(),
  };
}

export interface SendPathResult {
  /** Reminders sent one after another: one execution environment's rate (median of 3 rounds). */
  sendsPerSecond: number;
  /** SEND_REMINDER_CONCURRENCY in flight, as the reserved concurrency allows in AWS. */
  sendsPerSecondConcurrent: number;
  concurrency: number;
  /** sends/s of each round. */
  rounds: { sequential: number[]; concurrent: number[] };
  sends: number;
  latencyMs: { median: number; p95: number };
  dynamoRequestsPerSms: number;
  dynamoPerSms: ReturnType<typeof perOperation>;
  snsCallsPerSms: number;
  /** A duplicate delivery (Scheduler is at least once): the ledger stops it. */
  duplicate: ReturnType<typeof perOperation>;
  outcomes: Record<string, number>;
}

const outcomeOf = (r: unknown) => {
  const o = r as { sent?: boolean; reason?: string; skipped?: string };
  return o.sent ? 'sent' : (o.reason ?? o.skipped ?? 'other');
};

/**
 * Fires the reminder jobs of one minute through runJob(sendReminderJob) against DynamoDB Local,
 * SNS mocked behind SnsSmsSender. First half one at a time, second half 5 at a time. Each message
 * is delivered inside its job (no queue): the per-message work of the drainer's delivery step.
 * What the queue adds (paced sending) is measured by `npm run bench:scale` and priced there.
 */
export async function measureSendPath(dataset: Dataset, minuteJobs: OneTimeJob[]): Promise<SendPathResult> {
  const sns = mockedSns();
  try {
    const at = minuteJobs[0]!.at;
    const deps = depsAt(dataset, at, { sms: sns.sender, pacing: undefined });
    // Warm the path (module-level caches, the program cache, connections) with a few sends.
    const warm = minuteJobs.slice(0, 5);
    for (const job of warm) await runJob(sendReminderJob, deps, job.payload);
    const rest = minuteJobs.slice(5);
    const half = Math.floor(rest.length / 2);
    const sequential = rest.slice(0, half);
    const concurrent = rest.slice(half);
    const outcomes: Record<string, number> = {};
    const count = (r: unknown) => {
      const o = outcomeOf(r);
      outcomes[o] = (outcomes[o] ?? 0) + 1;
    };

    // Three rounds each (the machine is shared and noisy): report the median round.
    const rounds = 3;
    const chunk = <T>(items: T[]) =>
      Array.from({ length: rounds }, (_, r) =>
        items.slice(Math.floor((r * items.length) / rounds), Math.floor(((r + 1) * items.length) / rounds)),
      );

    const snsBefore = sns.calls();
    const before = dataset.meter.snapshot();
    const latencies: number[] = [];
    const sequentialRates: number[] = [];
    for (const part of chunk(sequential)) {
      const s0 = performance.now();
      for (const job of part) {
        const t = performance.now();
        count(await runJob(sendReminderJob, deps, job.payload));
        latencies.push(performance.now() - t);
      }
      sequentialRates.push(part.length / ((performance.now() - s0) / 1000));
    }
    const usage = usageSince(before, dataset.meter.snapshot());
    const snsAfter = sns.calls();

    const concurrentRates: number[] = [];
    for (const part of chunk(concurrent)) {
      const c0 = performance.now();
      await pool(part, SEND_REMINDER_CONCURRENCY, async (job) =>
        count(await runJob(sendReminderJob, deps, job.payload)),
      );
      concurrentRates.push(part.length / ((performance.now() - c0) / 1000));
    }

    // Duplicate deliveries of already-sent reminders.
    const dupes = sequential.slice(0, Math.min(100, sequential.length));
    const dBefore = dataset.meter.snapshot();
    for (const job of dupes) {
      const r = await runJob(sendReminderJob, deps, job.payload);
      if (outcomeOf(r) !== 'duplicate')
        throw new Error(`a duplicate delivery was not stopped: ${JSON.stringify(r)}`);
    }
    const dUsage = usageSince(dBefore, dataset.meter.snapshot());

    const sent = sequential.length;
    const snsCalls = snsAfter.publish + snsAfter.checkOptedOut - snsBefore.publish - snsBefore.checkOptedOut;
    const per = perOperation(usage, sent);
    return {
      sendsPerSecond: round(median(sequentialRates), 0),
      sendsPerSecondConcurrent: round(median(concurrentRates), 0),
      rounds: {
        sequential: sequentialRates.map((r) => round(r, 0)),
        concurrent: concurrentRates.map((r) => round(r, 0)),
      },
      concurrency: SEND_REMINDER_CONCURRENCY,
      sends: sequential.length + concurrent.length,
      latencyMs: { median: round(median(latencies), 2), p95: round(percentile(latencies, 95), 2) },
      dynamoRequestsPerSms: per.total,
      dynamoPerSms: per,
      snsCallsPerSms: round(snsCalls / sent, 2),
      duplicate: perOperation(dUsage, dupes.length),
      outcomes,
    };
  } finally {
    sns.restore();
  }
}

export interface AttendancePathResult {
  /** A check-in through the API use case (recordAttendance 'present'). */
  checkIn: ReturnType<typeof perOperation> & { medianMs: number };
  /** The attendance check at start + grace for a client who checked in. */
  checkAttended: ReturnType<typeof perOperation> & { medianMs: number };
  /** …and for one who did not: absent, care-team alert, SMS note, engagement evaluation. */
  checkMissed: ReturnType<typeof perOperation> & {
    medianMs: number;
    smsPerCheck: number;
    alertsPerCheck: number;
  };
}

/**
 * One session start's attendance jobs: most clients check in a few minutes after the start, the
 * rest do not; then each session's check-attendance job runs at start + grace.
 */
export async function measureAttendancePath(
  dataset: Dataset,
  attendanceJobs: OneTimeJob[],
  attendanceRate: number,
): Promise<AttendancePathResult> {
  const sns = mockedSns();
  try {
    const checkAt = attendanceJobs[0]!.at;
    const checkInAt = addMinutes(checkAt, -15);
    const attended = attendanceJobs.slice(0, Math.round(attendanceJobs.length * attendanceRate));
    const missed = attendanceJobs.slice(attended.length);

    const inDeps = depsAt(dataset, checkInAt, { sms: sns.sender });
    const timed = async (jobs: OneTimeJob[], run: (job: OneTimeJob) => Promise<unknown>) => {
      const before = dataset.meter.snapshot();
      const ms: number[] = [];
      for (const job of jobs) {
        const t = performance.now();
        await run(job);
        ms.push(performance.now() - t);
      }
      return {
        ...perOperation(usageSince(before, dataset.meter.snapshot()), jobs.length),
        medianMs: round(median(ms), 2),
      };
    };
    const checkIn = await timed(attended, (job) =>
      recordAttendance(inDeps, {
        programId: String(job.payload.programId),
        sessionId: String(job.payload.sessionId),
        status: 'present',
      }),
    );
    const checkDeps = depsAt(dataset, checkAt, { sms: sns.sender, pacing: undefined });
    const checkAttended = await timed(attended, (job) => runJob(checkAttendanceJob, checkDeps, job.payload));
    const alertsBefore = dataset.system.notifier.outbox.filter((e) => e.channel === 'care-team').length;
    const smsBefore = sns.calls().publish;
    const checkMissed = await timed(missed, (job) => runJob(checkAttendanceJob, checkDeps, job.payload));
    const alerts =
      dataset.system.notifier.outbox.filter((e) => e.channel === 'care-team').length - alertsBefore;
    return {
      checkIn,
      checkAttended,
      checkMissed: {
        ...checkMissed,
        smsPerCheck: round((sns.calls().publish - smsBefore) / Math.max(1, missed.length), 2),
        alertsPerCheck: round(alerts / Math.max(1, missed.length), 2),
      },
    };
  } finally {
    sns.restore();
  }
}
