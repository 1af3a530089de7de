import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoTable } from '../../functions/adapters/dynamodb/dynamo-table.ts';
import { dynamoRepositories } from '../../functions/adapters/dynamodb/repositories.ts';
import { DynamoSmsQueue } from '../../functions/adapters/dynamodb/sms-queue.repository.ts';
import type { Deps, Log } from '../../functions/use-cases/deps.ts';
import { LocalNotifier } from './console-notifier.ts';
import {
  type FaultInjector,
  FaultyCareTeamNotifier,
  FaultyJobScheduler,
  FaultySmsSender,
  refuseDatabaseCalls,
} from './fault-injector.ts';
import { InProcessScheduler } from './in-process-scheduler.ts';
import { LocalDrainTrigger } from './local-drain-trigger.ts';
import { RecordingActivityLog } from './recording-activity-log.ts';
import { VirtualClock } from './virtual-clock.ts';

/** The local and simulated identity's rate: the issue-16 target rate (a short code sends 100). */
export const DEFAULT_SMS_PER_SECOND = 20;

export const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface LocalSystem {
  deps: Deps;
  clock: VirtualClock;
  activity: RecordingActivityLog;
  scheduler: InProcessScheduler;
  notifier: LocalNotifier;
  table: DynamoTable;
  /** Wakes the SMS drainers (paced sending); keeps what they gave up on. */
  drains: LocalDrainTrigger;
  /** Takes off what was attached to the caller's DynamoDB client (the fault middleware). */
  close(): void;
}

/**
 * The same use cases as in Lambda, on DynamoDB (Local) with the local notifier, in-process
 * scheduler and a clock the caller moves: the simulator's virtual time or the runtime's real one.
 * With `faults`, the SMS, care-team, scheduler and database ports refuse the calls the injector
 * says to (the scenario's `fault` action); `scheduler` and `notifier` stay the undecorated ones.
 */
export function localSystem(options: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  now: string;
  log?: Log;
  print?: (line: string) => void;
  outboxFile?: string;
  appBaseUrl?: string;
  faults?: FaultInjector;
  /**
   * Messages per second per origination identity (paced sending, issue 16): 20 unless told, as a
   * 10DLC or toll-free number with raised throughput. Every SMS goes through the queue.
   */
  smsPerSecond?: number;
  /** The origination identities of the pool; none: one, the account's default. */
  smsIdentities?: string[];
  /**
   * False: every SMS goes out inside the job that sends it (the drainer's delivery step, without
   * the queue), for tests that follow one job's calls. Everything else runs paced.
   */
  paced?: boolean;
}): LocalSystem {
  const { faults } = options;
  const detach = faults ? refuseDatabaseCalls(options.doc, faults) : () => undefined;
  const table = new DynamoTable(options.doc, options.tableName);
  const clock = new VirtualClock(options.now);
  const activity = new RecordingActivityLog(clock);
  const scheduler = new InProcessScheduler(() => clock.now());
  const notifier = new LocalNotifier(clock, {
    ...(options.print ? { print: options.print } : {}),
    ...(options.outboxFile ? { outboxFile: options.outboxFile } : {}),
  });
  const jobScheduler = faults ? new FaultyJobScheduler(scheduler, faults) : scheduler;
  const drains = new LocalDrainTrigger(jobScheduler, clock, (name) => scheduler.has(name));
  const deps: Deps = {
    ...dynamoRepositories(table),
    random: { bytes: (n) => randomBytes(n) },
    scheduler: jobScheduler,
    clock,
    activity,
    log: options.log ?? silentLog,
    sms: faults ? new FaultySmsSender(notifier, faults) : notifier,
    careTeam: faults ? new FaultyCareTeamNotifier(notifier, faults) : notifier,
    appBaseUrl: options.appBaseUrl ?? 'http://localhost:3000',
    ...(options.paced === false
      ? {}
      : {
          pacing: {
            queue: new DynamoSmsQueue(table),
            trigger: drains,
            perSecond: options.smsPerSecond ?? DEFAULT_SMS_PER_SECOND,
            identities: options.smsIdentities ?? [],
            concurrency: 1,
          },
        }),
  };
  return { deps, clock, activity, scheduler, notifier, table, drains, close: detach };
}
