import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nextWeeklyCronTime } from '../../functions/domain/cron.ts';
import { recurringJobsFor } from '../../functions/domain/recurring-jobs.ts';
import { addDays, localToUtc } from '../../functions/domain/zoned-time.ts';
import { runJob } from '../../functions/handlers/lambda-job.ts';
import { jobRegistry } from '../../functions/jobs/registry.ts';
import type { Deps } from '../../functions/use-cases/deps.ts';
import { scheduleCurrentWeeks } from '../../functions/use-cases/enrol-client.ts';
import { type LocalSystem, localSystem } from '../adapters/local-deps.ts';
import type { StampedEvent } from '../adapters/recording-activity-log.ts';
import { scenarioDriver } from './driver.ts';
import type { Scenario } from './scenario.schema.ts';

export interface SimulationResult {
  events: StampedEvent[];
  jobErrors: { at: string; target: string; error: string }[];
}

export interface SimulationOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Called with the fraction of virtual time done, for a progress bar. */
  onProgress?: (done: number, now: string) => void;
  onEvent?: (event: StampedEvent) => void;
}

/** Something that happens at an instant: a person's action (the driver) or a job firing. */
export interface Timed {
  at: string;
  /** Lower runs first among things due at the same instant. */
  order: number;
  label: string;
  run: () => Promise<void>;
}

/**
 * Runs a scenario through the real use cases and jobs on a virtual clock: everything scheduled
 * through the in-process scheduler fires at its exact instant, recurring jobs fire on their cron
 * in the program's time zone, and the scenario's people act at their local times.
 */
export async function simulate(scenario: Scenario, options: SimulationOptions): Promise<SimulationResult> {
  const { program } = scenario;
  const zone = program.timezone;
  const start = localToUtc(scenario.run.from, '00:00', zone);
  const end = localToUtc(addDays(scenario.run.from, scenario.run.days), '00:00', zone);
  const system = localSystem({ doc: options.doc, tableName: options.tableName, now: start });
  const { deps, clock, scheduler, activity } = system;
  if (options.onEvent) activity.onEvent(options.onEvent);
  const jobErrors: SimulationResult['jobErrors'] = [];

  // The clinic as it stands when the run starts.
  await deps.programs.putProgram(program);
  for (const clinician of scenario.clinicians) await deps.programs.putClinician(program.id, clinician);
  for (const client of scenario.clients) await deps.clients.createClient(program.id, client);

  const driver = scenarioDriver(scenario, system);

  // Catch up as if the system had been running: the current week, and the next one when its
  // weekly generation was due before the run starts.
  await scheduleCurrentWeeks(deps, program.id);

  const recurring = recurringJobsFor(program).map((job) => ({
    job,
    next: nextWeeklyCronTime(job.cron, zone, start),
  }));

  for (;;) {
    const candidates: Timed[] = [];
    const nextJob = scheduler.pending()[0];
    if (nextJob) {
      candidates.push({
        at: nextJob.at,
        order: 2,
        label: nextJob.target,
        run: async () => {
          scheduler.takeNextDue(nextJob.at);
          await fire(
            deps,
            nextJob.target,
            { ...nextJob.payload, scheduledTime: nextJob.at },
            jobErrors,
            clock.now(),
          );
        },
      });
    }
    for (const r of recurring) {
      candidates.push({
        at: r.next,
        order: 1,
        label: r.job.target,
        run: async () => {
          const firedAt = r.next;
          r.next = nextWeeklyCronTime(r.job.cron, zone, firedAt);
          await fire(
            deps,
            r.job.target,
            { ...r.job.payload, scheduledTime: firedAt },
            jobErrors,
            clock.now(),
          );
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
  return { events: activity.events, jobErrors };
}

async function fire(
  deps: Deps,
  target: string,
  payload: Record<string, unknown>,
  errors: SimulationResult['jobErrors'],
  at: string,
) {
  const job = jobRegistry[target as keyof typeof jobRegistry];
  try {
    if (!job) throw new Error(`no job registered for target ${target}`);
    await runJob(job, deps, payload);
  } catch (error) {
    errors.push({ at, target, error: error instanceof Error ? error.message : String(error) });
  }
}

export type { LocalSystem };
