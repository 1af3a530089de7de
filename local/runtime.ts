import type { Server } from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isoWeekOf, localTimeOf, nextIsoWeek } from '../functions/domain/zoned-time.ts';
import { makeApiHandler } from '../functions/handlers/api.handler.ts';
import { runJob } from '../functions/handlers/lambda-job.ts';
import { jobRegistry } from '../functions/jobs/registry.ts';
import type { Log } from '../functions/use-cases/deps.ts';
import { scheduleCurrentWeeks } from '../functions/use-cases/enrol-client.ts';
import { createProgram, ensureRecurringJobs } from '../functions/use-cases/programs.ts';
import { scheduleSessionJobs } from '../functions/use-cases/session-jobs.ts';
import { type LocalSystem, localSystem } from './adapters/local-deps.ts';
import type { StampedEvent } from './adapters/recording-activity-log.ts';
import { demoClinic } from './demo-program.ts';
import { serveApi, type WebHandler } from './http-adapter.ts';
import { textInRoute } from './text-in.ts';

export interface RuntimeOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  port: number;
  print: (line: string) => void;
  outboxFile?: string;
  seedDemo?: boolean;
  /** The real clock, replaceable in tests. */
  realNow?: () => string;
  tickMs?: number;
  /** Serves the care-team web app beside the API (pages and assets; `/api/*` is always the API). */
  web?: WebHandler;
}

const systemNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The whole system on one machine: the same API handler and jobs as in AWS, on DynamoDB Local,
 * with jobs fired on the real clock by the in-process scheduler and messages on the console.
 */
export async function startRuntime(options: RuntimeOptions) {
  const realNow = options.realNow ?? systemNow;
  const log: Log = {
    info: () => undefined,
    warn: (message, ...extra) =>
      options.print(`⚠️  ${message} ${extra.length ? JSON.stringify(extra[0]) : ''}`),
    error: (message, ...extra) =>
      options.print(`❌ ${message} ${extra.length ? JSON.stringify(extra[0]) : ''}`),
  };
  const system: LocalSystem = localSystem({
    doc: options.doc,
    tableName: options.tableName,
    now: realNow(),
    log,
    print: options.print,
    ...(options.outboxFile ? { outboxFile: options.outboxFile } : {}),
    appBaseUrl: `http://localhost:${options.port}`,
  });
  const { deps, clock, scheduler } = system;
  const advance = () => {
    const now = realNow();
    if (now > clock.now()) clock.set(now);
  };
  system.activity.onEvent((e) => {
    if (e.type !== 'sms.sent' && e.type !== 'careteam.alert') options.print(describe(e));
  });

  if (options.seedDemo && (await deps.programs.listPrograms()).length === 0) {
    const demo = demoClinic(clock.now());
    await createProgram(deps, demo.program);
    for (const c of demo.clinicians) await deps.programs.putClinician(demo.program.id, c);
    for (const c of demo.clients) await deps.clients.createClient(demo.program.id, c);
    options.print(`Seeded the demo program "${demo.program.name}" with ${demo.clients.length} clients.`);
  }

  // The in-process scheduler starts empty: every program's recurring jobs are ensured through the
  // port (as a program created or changed through the API gets them), the weeks caught up and every
  // future one-time job re-created.
  for (const program of await deps.programs.listPrograms()) {
    await ensureRecurringJobs(deps, program);
    await scheduleCurrentWeeks(deps, program.id);
    const week = isoWeekOf(clock.now(), program.timezone);
    for (const w of [week, nextIsoWeek(week)]) {
      await scheduleSessionJobs(deps, program, await deps.sessions.listSessionsByWeek(program.id, w));
    }
  }

  const fire = async (target: string, payload: Record<string, unknown>) => {
    const job = jobRegistry[target as keyof typeof jobRegistry];
    try {
      if (!job) throw new Error(`no job registered for ${target}`);
      await runJob(job, deps, payload);
    } catch (error) {
      options.print(`❌ job ${target} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      advance();
      // One-time and recurring jobs in time order, each with the instant it was due.
      for (let job = scheduler.takeNextDue(clock.now()); job; job = scheduler.takeNextDue(clock.now())) {
        await fire(job.target, { ...job.payload, scheduledTime: job.at });
      }
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), options.tickMs ?? 1000);

  const api = makeApiHandler(() => deps);
  // A person texting in (npm run sms): local only, served before the API and the web app.
  // What a request set in motion runs before it is answered (an SMS it queued goes out at once
  // when its identity has a slot), as it would within a second in AWS.
  const textIn = textInRoute(system, options.print, tick);
  const web: WebHandler = async (req, res) => {
    advance();
    if (await textIn(req, res)) return true;
    return options.web ? options.web(req, res) : false;
  };
  const server: Server = await serveApi(
    async (event) => {
      advance();
      const result = await api(event, {} as never);
      await tick();
      return result;
    },
    { port: options.port, web },
  );
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.port}`;

  return {
    url,
    system,
    tick,
    async stop() {
      clearInterval(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function describe(e: StampedEvent): string {
  const time = e.at.slice(11, 16);
  switch (e.type) {
    case 'session.scheduled':
      return `🗓  ${time} scheduled ${e.kind} session for ${e.clientId} on ${e.date} (${e.start})`;
    case 'sms.suppressed':
      return `🔕 ${time} SMS ${e.purpose} to ${e.clientId} suppressed: ${e.reason}`;
    default: {
      const { type, at: _at, ...rest } = e;
      return `•  ${time} ${type} ${JSON.stringify(rest)}`;
    }
  }
}

export function weekTable(
  sessions: {
    date: string;
    start: string;
    clientId: string;
    kind: string;
    clinicianId?: string | undefined;
  }[],
  zone: string,
) {
  return sessions
    .map(
      (s) =>
        `  ${s.date} ${localTimeOf(s.start, zone)}  ${s.kind.padEnd(10)} ${s.clientId.padEnd(8)} ${s.clinicianId ?? ''}`,
    )
    .join('\n');
}
