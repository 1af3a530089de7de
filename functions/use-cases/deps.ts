import type { ActivityLog } from '../ports/activity-log.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { JobScheduler } from '../ports/job-scheduler.port.ts';
import type { CareTeamNotifier, SmsSender } from '../ports/notifier.port.ts';
import type { RandomSource } from '../ports/random.port.ts';
import type {
  ClientRepository,
  FlagRepository,
  ProgramRepository,
  ReplyRepository,
  ScreeningRepository,
  SessionRepository,
} from '../ports/repository.port.ts';
import type { SendLedger } from '../ports/send-ledger.port.ts';
import type { SmsPacing } from '../ports/sms-queue.port.ts';

/** Everything a use case may touch, injected: AWS adapters in Lambda, local ones in the runtime and tests. */
export interface Deps {
  programs: ProgramRepository;
  clients: ClientRepository;
  sessions: SessionRepository;
  screening: ScreeningRepository;
  flags: FlagRepository;
  replies: ReplyRepository;
  random: RandomSource;
  scheduler: JobScheduler;
  clock: Clock;
  activity: ActivityLog;
  log: Log;
  sms: SmsSender;
  careTeam: CareTeamNotifier;
  ledger: SendLedger;
  /**
   * Paced sending (issue 16): client SMS wait in a queue per origination identity and go out at
   * its rate, earliest deadline first. Every deployed and local system has it; without it (some
   * unit tests) an SMS goes out at once.
   */
  pacing?: SmsPacing;
  /** Base of the links in care-team alerts, e.g. https://cadence.example.org */
  appBaseUrl: string;
}

/** The slice of the Powertools logger the use cases use; messages and fields never carry PHI. */
export interface Log {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** Input that parsed but names what does not exist or cannot be (an unknown track, a future date): a 400 naming the field. */
export class InvalidFieldError extends Error {
  override readonly name = 'InvalidFieldError';
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

/** The ports a use case names: each takes the narrow set it uses, not all of Deps. */
export type Ports<K extends keyof Deps> = Pick<Deps, K>;

/** What evaluating engagement touches, and so every use case that ends by evaluating it. */
export type EngagementPorts = Ports<
  | 'programs'
  | 'clients'
  | 'sessions'
  | 'screening'
  | 'flags'
  | 'scheduler'
  | 'clock'
  | 'activity'
  | 'log'
  | 'careTeam'
  | 'ledger'
  | 'appBaseUrl'
>;
