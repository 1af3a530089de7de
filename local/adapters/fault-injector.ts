import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobScheduler, OneTimeJob, RecurringJob } from '../../functions/ports/job-scheduler.port.ts';
import type { CareTeamAlert, CareTeamNotifier, SmsSender } from '../../functions/ports/notifier.port.ts';

/** The ports a scenario's `fault` action can refuse (scenario format, version 2). */
export const FAULT_PORTS = ['sms', 'careteam', 'scheduler', 'database'] as const;
export type FaultPort = (typeof FAULT_PORTS)[number];

/**
 * A refusal as the AWS SDK reports a throttled call: the service answered (an HTTP status), so the
 * call certainly did nothing, and a retry may do it.
 */
export function injectedThrottle(): Error {
  return Object.assign(new Error('Rate exceeded (injected fault)'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    $retryable: { throttling: true },
  });
}

/**
 * Refuses the next `count` calls that jobs make to a port, once armed. Calls made outside a job
 * (people's actions, the simulator's own setup) always go through. Jobs run one at a time, so a
 * flag set around each run tells them apart.
 */
export class FaultInjector {
  private readonly remaining: Record<FaultPort, number> = { sms: 0, careteam: 0, scheduler: 0, database: 0 };
  private jobRunning = false;
  /** How many calls were refused, per port. */
  readonly refused: Record<FaultPort, number> = { sms: 0, careteam: 0, scheduler: 0, database: 0 };

  /** From now on, the next `count` calls jobs make to `port` are refused (added to any still pending). */
  arm(port: FaultPort, count: number): void {
    this.remaining[port] += count;
  }

  pending(port: FaultPort): number {
    return this.remaining[port];
  }

  /** Runs a job: its calls to the ports may be refused. */
  async duringJob<T>(run: () => Promise<T>): Promise<T> {
    this.jobRunning = true;
    try {
      return await run();
    } finally {
      this.jobRunning = false;
    }
  }

  /** Throws the injected refusal when this call is one to refuse. */
  check(port: FaultPort): void {
    if (!this.jobRunning || this.remaining[port] <= 0) return;
    this.remaining[port] -= 1;
    this.refused[port] += 1;
    throw injectedThrottle();
  }
}

/** The SMS port (send and the carrier opt-out check), refusing when the injector says so. */
export class FaultySmsSender implements SmsSender {
  constructor(
    private readonly inner: SmsSender,
    private readonly faults: FaultInjector,
  ) {}

  async send(message: { to: string; body: string; from?: string }) {
    this.faults.check('sms');
    return this.inner.send(message);
  }

  async isOptedOut(phone: string) {
    this.faults.check('sms');
    return this.inner.isOptedOut(phone);
  }
  async optIn(phone: string) {
    this.faults.check('sms');
    return this.inner.optIn(phone);
  }
}

/** The care-team port, refusing when the injector says so. */
export class FaultyCareTeamNotifier implements CareTeamNotifier {
  constructor(
    private readonly inner: CareTeamNotifier,
    private readonly faults: FaultInjector,
  ) {}

  async alert(alert: CareTeamAlert) {
    this.faults.check('careteam');
    return this.inner.alert(alert);
  }
}

/** The job scheduler port (create and delete one-time and recurring jobs), refusing when the injector says so. */
export class FaultyJobScheduler implements JobScheduler {
  constructor(
    private readonly inner: JobScheduler,
    private readonly faults: FaultInjector,
  ) {}

  async scheduleOnce(job: OneTimeJob) {
    this.faults.check('scheduler');
    return this.inner.scheduleOnce(job);
  }

  async scheduleRecurring(job: RecurringJob) {
    this.faults.check('scheduler');
    return this.inner.scheduleRecurring(job);
  }

  async cancel(names: string[]) {
    this.faults.check('scheduler');
    return this.inner.cancel(names);
  }
}

let middlewareCounter = 0;

/**
 * Every DynamoDB command sent through `doc` asks the injector first and is refused before the
 * request goes out. Returns a function that takes the middleware off again (the client is the caller's).
 */
export function refuseDatabaseCalls(doc: DynamoDBDocumentClient, faults: FaultInjector): () => void {
  middlewareCounter += 1;
  const name = `fault-injector-${middlewareCounter}`;
  doc.middlewareStack.add(
    (next) => async (args) => {
      faults.check('database');
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => {
    doc.middlewareStack.remove(name);
  };
}
