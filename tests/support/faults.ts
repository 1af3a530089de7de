import { AsyncLocalStorage } from 'node:async_hooks';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { OneTimeJob } from '../../functions/ports/job-scheduler.port.ts';
import type { Deps } from '../../functions/use-cases/deps.ts';

/**
 * Failure injection and call counting for tests, on a LocalSystem's ports: SMS (send, the carrier
 * opt-out check), care team (alert), scheduler (scheduleOnce, cancel) and every DynamoDB command
 * sent through the document client. Each call is labelled `port:operation`
 * (`sms:send`, `sms:isOptedOut`, `careTeam:alert`, `scheduler:scheduleOnce`, `scheduler:cancel`,
 * `dynamodb:PutCommand`, `dynamodb:QueryCommand`, …).
 *
 * Counting mode lists the calls a run made, in order. A refusal plan makes one chosen call throw,
 * once, the error the AWS SDK gives for a throttled request: the service answered (HTTP 400), so
 * the call certainly did nothing and a retry may do it (invariant 10).
 */

/** A throttling refusal, shaped as the AWS SDK reports one. */
export function throttlingError(): Error {
  return Object.assign(new Error('Rate exceeded (injected)'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });
}

export const isInjected = (error: unknown) =>
  error instanceof Error && error.message === 'Rate exceeded (injected)';

/** Which call to refuse: the `occurrence`-th call (1-based) with this label, or the `index`-th call overall. */
export type RefusalPlan = { label: string; occurrence: number } | { index: number };

export interface RecordedCall {
  /** 1-based position in the run. */
  index: number;
  label: string;
  /** 1-based count of this label so far, so `dynamodb:PutCommand #3` names the third put. */
  occurrence: number;
}

type Hook = (call: RecordedCall) => void | Promise<void>;

/** One recorded run: its calls still in flight, and whether it has ended in an error. */
interface Run {
  inFlight: number;
  ended: boolean;
}

/** What a call of a run that already failed gets: the process is gone (not an answer from AWS). */
export class RunEndedError extends Error {
  override readonly name = 'RunEndedError';
}

/**
 * The calls of one system, recorded while `during` runs (setup, retries and assertions around it
 * are not counted: calls are told apart by their async context), with at most one refusal pending.
 *
 * A run that throws is over, as a Lambda invocation is: work it left running in parallel (the draw
 * follows up several selections at once) makes no further call. Such a call throws RunEndedError,
 * which carries no HTTP status: for the code it is an unknown outcome, as for a process that died.
 * `during` rethrows only once the calls in flight have come back, so a retry never overlaps them.
 */
export class PortCalls {
  readonly calls: RecordedCall[] = [];
  readonly refused: RecordedCall[] = [];
  /** Calls a run made after it had thrown (refused with RunEndedError). */
  readonly afterEnd: string[] = [];
  private plan: RefusalPlan | undefined;
  private readonly runs = new AsyncLocalStorage<Run>();
  private readonly byLabel = new Map<string, number>();
  private readonly hooks: Hook[] = [];

  /** From now on (while recording), refuse the planned call once. */
  refuseOnce(plan: RefusalPlan): this {
    this.plan = plan;
    return this;
  }

  /** Called before each recorded call goes out (after the refusal decision): e.g. to move a clock. */
  onCall(hook: Hook): this {
    this.hooks.push(hook);
    return this;
  }

  /** Runs `work` with its port calls recorded (and refused, when planned). */
  async during<T>(work: () => Promise<T>): Promise<T> {
    const run: Run = { inFlight: 0, ended: false };
    try {
      return await this.runs.run(run, work);
    } catch (error) {
      run.ended = true;
      // Let the calls already sent come back (they are not stopped by the run's end).
      for (let idle = 0; idle < 3; idle = run.inFlight === 0 ? idle + 1 : 0)
        await new Promise((resolve) => setImmediate(resolve));
      throw error;
    }
  }

  /** Whether the run this is called from has thrown (for hooks that hold a call until then). */
  get runEnded(): boolean {
    return this.runs.getStore()?.ended ?? false;
  }

  /** The labels in call order. */
  labels(): string[] {
    return this.calls.map((c) => c.label);
  }

  /** A port call: recorded, refused when planned, tracked while in flight. */
  async call<T>(label: string, send: () => Promise<T>): Promise<T> {
    const run = this.runs.getStore();
    if (!run) return send();
    if (run.ended) {
      this.afterEnd.push(label);
      throw new RunEndedError(`${label} after the run had thrown`);
    }
    const occurrence = (this.byLabel.get(label) ?? 0) + 1;
    this.byLabel.set(label, occurrence);
    const call: RecordedCall = { index: this.calls.length + 1, label, occurrence };
    this.calls.push(call);
    const plan = this.plan;
    if (
      plan &&
      ('index' in plan ? plan.index === call.index : plan.label === label && plan.occurrence === occurrence)
    ) {
      this.plan = undefined;
      this.refused.push(call);
      throw throttlingError();
    }
    for (const hook of this.hooks) await hook(call);
    if (run.ended) {
      this.afterEnd.push(label);
      throw new RunEndedError(`${label} after the run had thrown`);
    }
    run.inFlight += 1;
    try {
      return await send();
    } finally {
      run.inFlight -= 1;
    }
  }
}

let middlewareCounter = 0;

/** The port with each of its methods going through `calls` as `port:method`. */
function through<T extends object>(inner: T, port: string, calls: PortCalls): T {
  return new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) =>
        calls.call(`${port}:${property}`, async () =>
          (value as (...a: unknown[]) => unknown).apply(target, args),
        );
    },
  });
}

/**
 * Puts SMS, care-team and scheduler ports behind `calls` (the deps object is changed in place,
 * so a LocalSystem's `scheduler` and `notifier` stay the undecorated ones for assertions), and
 * adds a DynamoDB middleware (initialize step: before the SDK's own retries, so a refusal is not
 * retried) to `doc`. Returns a function that takes the middleware off again.
 */
export function instrumentPorts(deps: Deps, doc: DynamoDBDocumentClient, calls: PortCalls): () => void {
  deps.sms = through(deps.sms, 'sms', calls);
  deps.careTeam = through(deps.careTeam, 'careTeam', calls);
  deps.scheduler = through(deps.scheduler, 'scheduler', calls);
  middlewareCounter += 1;
  const name = `test-port-calls-${middlewareCounter}`;
  doc.middlewareStack.add(
    (next, context) => (args) => calls.call(`dynamodb:${String(context.commandName)}`, () => next(args)),
    { step: 'initialize', name },
  );
  return () => {
    doc.middlewareStack.remove(name);
  };
}

/** Counting mode: the labels of the calls `work` makes, in order. */
export async function countCalls(
  deps: Deps,
  doc: DynamoDBDocumentClient,
  work: () => Promise<unknown>,
): Promise<RecordedCall[]> {
  const calls = new PortCalls();
  const detach = instrumentPorts(deps, doc, calls);
  try {
    await calls.during(work);
  } finally {
    detach();
  }
  return calls.calls;
}

/** A random source that gives the same bytes every time, so two runs on one seed draw the same. */
export const fixedRandom: Deps['random'] = {
  bytes: (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff),
};

/** Every item of the table (Scan, consistent, all pages): tests only. */
export async function scanAll(doc: DynamoDBDocumentClient, tableName: string) {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** JSON with object keys sorted, so attribute order never makes two equal items differ. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** What a run leaves behind, normalised so a clean run and a faulty-then-retried run can be compared. */
export interface EndState {
  /** Every table item, as stable JSON, sorted. */
  items: string[];
  /** Every message that went out: SMS by recipient and body, care-team alerts by subject. */
  outbox: string[];
  /** The scheduler's pending one-time jobs. */
  pending: string[];
  /** Every activity event, sorted (a doubled event shows up twice). */
  events: string[];
  /** Draw chunks of an attempt whose header was never written (see `endState`). */
  orphanChunks: string[];
}

type SystemView = {
  notifier: { outbox: readonly { channel: string; messageId: string; [field: string]: unknown }[] };
  scheduler: { pending(): OneTimeJob[] };
  activity: { events: readonly Record<string, unknown>[] };
};

/**
 * The end state of a system. Two normalisations, and only these:
 * - Provider message ids (`local-000001`, a counter of deliveries in this process) become the
 *   message they name (`sms to +1…: body`, `care-team <subject>`): a retried run delivers the same
 *   messages in another order, so the counter differs while the message is the same (also where
 *   the ledger indexes it: `MESSAGE#<id>`).
 * - A draw's `attempt` (a random UUID the adapter draws per write, naming its chunk items) becomes
 *   `<attempt>`; chunks of an attempt that is not the header's are set apart in `orphanChunks`:
 *   the adapter writes chunks before the header (its commit point) and documents that chunks left
 *   by a write that failed before the header are never read (screening.repository.ts).
 */
export async function endState(system: SystemView, doc: DynamoDBDocumentClient, tableName: string) {
  const names = new Map<string, string>();
  for (const entry of system.notifier.outbox) {
    names.set(
      entry.messageId,
      entry.channel === 'sms'
        ? `sms to ${String(entry.to)}: ${String(entry.body)}`
        : `care-team ${String(entry.subject)}`,
    );
  }
  const renameIds = (value: unknown): unknown => {
    if (typeof value === 'string') {
      // the ledger indexes a sent message by its id too (gsi2pk MESSAGE#<id>)
      if (value.startsWith('MESSAGE#') && names.has(value.slice(8)))
        return `MESSAGE#${names.get(value.slice(8))}`;
      return names.get(value) ?? value;
    }
    if (Array.isArray(value)) return value.map(renameIds);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameIds(v)]));
    return value;
  };
  const raw = await scanAll(doc, tableName);
  const attempts = new Map<string, string>();
  for (const item of raw)
    if (item.entity === 'draw' && item.attempt) attempts.set(String(item.pk), String(item.attempt));
  const items: string[] = [];
  const orphanChunks: string[] = [];
  for (const item of raw) {
    let normalised: Record<string, unknown> = item;
    if (item.entity === 'draw' && item.attempt) normalised = { ...item, attempt: '<attempt>' };
    if (item.entity === 'draw-chunk') {
      const attempt = String(item.sk).split('#')[1] ?? '';
      if (attempt !== attempts.get(String(item.pk))) {
        orphanChunks.push(`${String(item.pk)} ${String(item.sk)}`);
        continue;
      }
      normalised = { ...item, sk: String(item.sk).replace(attempt, '<attempt>') };
    }
    items.push(stableJson(renameIds(normalised)));
  }
  const outbox = system.notifier.outbox.map((entry) => {
    const { messageId: _, ...rest } = entry;
    return entry.channel === 'sms'
      ? `sms to ${String(entry.to)} at ${String(entry.at)}: ${String(entry.body)}`
      : `care-team ${String(entry.subject)} ${stableJson(rest)}`;
  });
  return {
    items: items.sort(),
    outbox: outbox.sort(),
    pending: system.scheduler.pending().map(stableJson).sort(),
    events: system.activity.events.map((e) => stableJson(renameIds(e))).sort(),
    orphanChunks: orphanChunks.sort(),
  } satisfies EndState;
}

/** The entries that occur more than once. */
export function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const v of values) (seen.has(v) ? twice : seen).add(v);
  return [...twice];
}
