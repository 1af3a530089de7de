import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { addDays, addMinutes, localToUtc } from '../../functions/domain/zoned-time.ts';
import { runJob } from '../../functions/handlers/lambda-job.ts';
import { jobRegistry } from '../../functions/jobs/registry.ts';
import { scheduleCurrentWeeks } from '../../functions/use-cases/enrol-client.ts';
import { createProgram } from '../../functions/use-cases/programs.ts';
import { FAULT_PORTS, FaultInjector, type FaultPort } from '../adapters/fault-injector.ts';
import { type LocalSystem, localSystem } from '../adapters/local-deps.ts';
import type { StampedEvent } from '../adapters/recording-activity-log.ts';
import { scenarioDriver } from './driver.ts';
import type { Scenario } from './scenario.schema.ts';

export interface SimulationResult {
  events: StampedEvent[];
  /** Jobs that still failed after their last retry. */
  jobErrors: { at: string; target: string; error: string }[];
  /** Calls refused by `fault` actions, per port, and refusals armed but never used. */
  faults: { refused: Record<FaultPort, number>; pending: Record<FaultPort, number> };
}

export interface SimulationOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Called with the fraction of virtual time done, for a progress bar. */
  onProgress?: (done: number, now: string) => void;
  onEvent?: (event: StampedEvent) => void;
  /**
   * The origination identity's rate (paced sending). 100 a second unless told, as a short code:
   * a scenario's messages due in one second go out in that second unless there are more than 100.
   */
  smsPerSecond?: number;
}

export const SIMULATOR_SMS_PER_SECOND = 100;

/** Something that happens at an instant: a person's action (the driver) or a job firing. */
export interface Timed {
  at: string;
  /** Lower runs first among things due at the same instant. */
  order: number;
  label: string;
  run: () => Promise<void>;
}

/** Like an EventBridge Scheduler retry policy: a failed invocation is retried after a minute, 10 times at most. */
export const JOB_RETRY_DELAY_MINUTES = 1;
export const JOB_MAX_RETRIES = 10;

/** One invocation of a job: its first run (attempt 1) or a retry, always with the same payload. */
interface Invocation {
  at: string;
  /** The schedule's name (one-time jobs) or the recurring job's name: ids only. */
  name: string;
  target: string;
  payload: Record<string, unknown>;
  attempt: number;
}

/**
 * Runs a scenario through the real use cases and jobs on a virtual clock: everything scheduled
 * through the in-process scheduler fires at its exact instant, recurring jobs fire on their cron
 * in the program's time zone, and the scenario's people act at their local times. A job that
 * throws is retried a minute later with the same payload (the same `scheduledTime`), up to 10
 * times, and each failure is recorded as a `job.failed` event. `fault` actions make the ports
 * refuse calls that jobs make (never the people's).
 */
export async function simulate(scenario: Scenario, options: SimulationOptions): Promise<SimulationResult> {
  const { program } = scenario;
  const zone = program.timezone;
  const start = localToUtc(scenario.run.from, '00:00', zone);
  const end = localToUtc(addDays(scenario.run.from, scenario.run.days), '00:00', zone);
  const faults = new FaultInjector();
  const system = localSystem({
    doc: options.doc,
    tableName: options.tableName,
    now: start,
    faults,
    smsPerSecond: options.smsPerSecond ?? SIMULATOR_SMS_PER_SECOND,
  });
  try {
    return await run(scenario, system, faults, options, start, end);
  } finally {
    system.close();
  }
}

async function run(
  scenario: Scenario,
  system: LocalSystem,
  faults: FaultInjector,
  options: SimulationOptions,
  start: string,
  end: string,
): Promise<SimulationResult> {
  const { program } = scenario;
  const { deps, clock, scheduler, activity } = system;
  if (options.onEvent) activity.onEvent(options.onEvent);
  const jobErrors: SimulationResult['jobErrors'] = [];

  // The clinic as it stands when the run starts: the program created as the API creates it, so its
  // recurring jobs (weekly generation, sweep, draws) are held by the in-process scheduler.
  await createProgram(deps, program);
  for (const clinician of scenario.clinicians) await deps.programs.putClinician(program.id, clinician);
  for (const client of scenario.clients) await deps.clients.createClient(program.id, client);

  const driver = scenarioDriver(scenario, system, { faults });

  // Catch up as if the system had been running: the current week, and the next one when its
  // weekly generation was due before the run starts.
  await scheduleCurrentWeeks(deps, program.id);

  /** Failed invocations waiting for their retry, earliest first. */
  const retries: Invocation[] = [];

  const fire = async (invocation: Invocation) => {
    const job = jobRegistry[invocation.target as keyof typeof jobRegistry];
    const refusedBefore = { ...faults.refused };
    try {
      if (!job) throw new Error(`no job registered for target ${invocation.target}`);
      await faults.duringJob(() => runJob(job, deps, invocation.payload));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retry = invocation.attempt <= JOB_MAX_RETRIES;
      const retryAt = addMinutes(clock.now(), JOB_RETRY_DELAY_MINUTES);
      await activity.record({
        type: 'job.failed',
        target: invocation.target,
        job: invocation.name,
        ...(typeof invocation.payload.scheduledTime === 'string'
          ? { scheduledTime: invocation.payload.scheduledTime }
          : {}),
        attempt: invocation.attempt,
        error: message,
        ...refusedDuring(refusedBefore, faults.refused),
        ...(retry ? { retryAt } : {}),
      });
      if (retry) {
        const next = { ...invocation, at: retryAt, attempt: invocation.attempt + 1 };
        let i = retries.length;
        while (i > 0 && retries[i - 1]!.at > next.at) i--;
        retries.splice(i, 0, next);
      } else {
        jobErrors.push({ at: clock.now(), target: invocation.target, error: message });
      }
    }
  };

  for (;;) {
    const candidates: Timed[] = [];
    // One-time and recurring jobs alike, from the scheduler; at one instant recurring ones first.
    const nextJob = scheduler.peekNext();
    if (nextJob) {
      candidates.push({
        at: nextJob.at,
        order: nextJob.recurring ? 1 : 2,
        label: nextJob.target,
        run: async () => {
          const job = scheduler.takeNextDue(nextJob.at)!;
          await fire({
            at: job.at,
            name: job.name,
            target: job.target,
            payload: { ...job.payload, scheduledTime: job.at },
            attempt: 1,
          });
        },
      });
    }
    const nextRetry = retries[0];
    if (nextRetry) {
      candidates.push({
        at: nextRetry.at,
        order: 2,
        label: `${nextRetry.target} (retry ${nextRetry.attempt - 1})`,
        run: async () => {
          retries.shift();
          await fire(nextRetry);
        },
      });
    }
    const nextAction = driver.peek();
    if (nextAction) candidates.push(nextAction);
    candidates.sort((a, b) => (a.at === b.at ? a.order - b.order : a.at < b.at ? -1 : 1));
    const next = candidates[0];
    if (!next || next.at >= end) break;
    if (next.at > clock.now()) clock.set(next.at);
    if (next === nextAction) driver.take();
    await next.run();
    options.onProgress?.(
      (Date.parse(clock.now()) - Date.parse(start)) / (Date.parse(end) - Date.parse(start)),
      clock.now(),
    );
  }
  // Messages the SMS drainer gave up on after their last attempt are lost work, like a job's.
  for (const dead of system.drains.deadLetters)
    jobErrors.push({
      at: dead.at,
      target: 'drain-sms',
      error: `${dead.key.purpose} given up after ${dead.attempts} attempts: ${dead.reason}`,
    });
  return {
    events: activity.events,
    jobErrors,
    faults: {
      refused: { ...faults.refused },
      pending: Object.fromEntries(FAULT_PORTS.map((p) => [p, faults.pending(p)])) as Record<
        FaultPort,
        number
      >,
    },
  };
}

/** `refusedCalls`: the calls refused by injected faults during one attempt, per port (none: no field). */
function refusedDuring(before: Record<FaultPort, number>, after: Record<FaultPort, number>) {
  const refused = Object.fromEntries(
    FAULT_PORTS.filter((p) => after[p] > before[p]).map((p) => [p, after[p] - before[p]]),
  );
  return Object.keys(refused).length ? { refusedCalls: refused } : {};
}

export type { LocalSystem };
