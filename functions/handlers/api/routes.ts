import * as z from 'zod';
import { clientSchema, clientStatusSchema, consentSchema } from '../../domain/client.schema.ts';
import { clinicianSchema } from '../../domain/clinician.schema.ts';
import {
  boundedDateSchema,
  boundedInstantSchema,
  entityIdSchema,
  isoWeekSchema,
  utcInstantSchema,
  weeklyWindowSchema,
} from '../../domain/common.schema.ts';
import { flagRuleSchema } from '../../domain/flag.schema.ts';
import { dialablePhoneSchema } from '../../domain/phone.schema.ts';
import { type Program, programSchema } from '../../domain/program.schema.ts';
import { screenResultSchema } from '../../domain/screen.schema.ts';
import { verifyDraw } from '../../domain/screening.ts';
import { attendanceStatusSchema } from '../../domain/session.schema.ts';
import { attendanceTooEarly, rescheduleConflict } from '../../domain/session-conflicts.ts';
import {
  addDays,
  addMinutes,
  isoWeekOf,
  isoWeekOfDate,
  localDateOf,
  localToUtc,
  minutesBetween,
} from '../../domain/zoned-time.ts';
import { recordAttendance } from '../../use-cases/attendance.ts';
import {
  changeClient,
  endEnrolment,
  optIn,
  optOut,
  recordConsent,
} from '../../use-cases/client-lifecycle.ts';
import { ConflictError, type Deps, NotFoundError } from '../../use-cases/deps.ts';
import { enrolClient, scheduleCurrentWeeks } from '../../use-cases/enrol-client.ts';
import { acknowledgeFlag, resolveFlag } from '../../use-cases/flags.ts';
import { createProgram, deleteProgram, updateProgram } from '../../use-cases/programs.ts';
import { recordScreenResult, screensReport } from '../../use-cases/screens.ts';
import { cancelSessionById, rescheduleSession } from '../../use-cases/session-changes.ts';
import { fieldError, HttpError, parse, type Route } from './http.ts';

const programPath = z.object({ programId: z.string().regex(/^[a-z0-9-]{1,40}$/) });
const clientPath = programPath.extend({ clientId: entityIdSchema });
const sessionPath = programPath.extend({ sessionId: z.string().min(1).max(40) });
const clinicianPath = programPath.extend({ clinicianId: entityIdSchema });

/** `limit` and the opaque `cursor` of every list route; the next page's cursor comes in the answer. */
const pageQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: 'expected a whole number from 1 to 200' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(200))
    .optional(),
  cursor: z
    .string()
    .max(2048)
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'expected the cursor of the previous page' })
    .optional(),
});
const DEFAULT_PAGE = 50;
const pageOf = (q: { limit?: number | undefined; cursor?: string | undefined }) => ({
  limit: q.limit ?? DEFAULT_PAGE,
  cursor: q.cursor,
});

/** The longest date range one session listing may span. */
const MAX_RANGE_DAYS = 92;

const weekQuery = z
  .object({
    week: isoWeekSchema.optional(),
    from: boundedDateSchema.optional(),
    to: boundedDateSchema.optional(),
    ...pageQuery.shape,
  })
  .strict()
  .refine((q) => (q.week ? !q.from && !q.to : q.from && q.to), {
    error: 'expected either week, or from and to (local dates)',
    path: ['week'],
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    error: 'expected from on or before to',
    path: ['from'],
  })
  .refine((q) => !q.from || !q.to || addDays(q.from, MAX_RANGE_DAYS - 1) >= q.to, {
    error: `expected at most ${MAX_RANGE_DAYS} days from from to to`,
    path: ['to'],
  });
const clientsQuery = z
  .object({ status: clientStatusSchema.optional(), track: entityIdSchema.optional(), ...pageQuery.shape })
  .strict();
const flagsQuery = z
  .object({
    severity: z.enum(['warning', 'critical']).optional(),
    rule: flagRuleSchema.optional(),
    ...pageQuery.shape,
  })
  .strict();
const listQuery = pageQuery.strict();
const attendanceBody = z.object({ status: attendanceStatusSchema }).strict();
const rescheduleBody = z.object({ start: boundedInstantSchema }).strict();
const resolveBody = z.object({ note: z.string().min(1).max(500) }).strict();
const rangeQuery = z
  .object({ from: utcInstantSchema.optional(), to: utcInstantSchema.optional() })
  .strict()
  .refine((r) => !r.from || !r.to || r.from <= r.to, {
    error: 'expected from on or before to',
    path: ['from'],
  });
const dischargeBody = z
  .object({ status: z.enum(['discharged', 'completed']).default('discharged') })
  .strict()
  .default({ status: 'discharged' });
const screenResultBody = z
  .object({
    clientId: entityIdSchema,
    date: boundedDateSchema,
    result: screenResultSchema,
  })
  .strict();

/**
 * A new client: everything but what the store keeps (version) or what only leaving sets (endedAt);
 * a client is enrolled active (on hold, discharged or completed come later, by their routes).
 */
export const enrolmentSchema = clientSchema
  .omit({ version: true, endedAt: true })
  .extend({
    phone: dialablePhoneSchema,
    familyContact: z
      .object({ phone: dialablePhoneSchema.optional(), relationship: z.string().max(40).optional() })
      .strict()
      .optional(),
    status: z
      .literal('active', { error: 'a client is enrolled active; put on hold or discharge afterwards' })
      .default('active'),
  })
  .strict();

async function mustGetProgram(deps: Deps, programId: string): Promise<Program> {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  return program;
}

/** References in a client's body must exist: an unknown track or clinician is a 400 naming the field. */
async function checkClientReferences(
  deps: Deps,
  program: Program,
  refs: { track?: string | undefined; clinicianId?: string | undefined },
) {
  if (refs.track && !program.tracks.some((t) => t.id === refs.track))
    throw fieldError('body.track', `program has no track ${refs.track}`);
  if (refs.clinicianId) {
    const clinicians = await deps.programs.listClinicians(program.id);
    if (!clinicians.some((c) => c.id === refs.clinicianId))
      throw fieldError(
        'body.clinicianId',
        `program has no clinician ${refs.clinicianId} (add it with PUT /programs/${program.id}/clinicians/${refs.clinicianId})`,
      );
  }
}

/** The session, when attendance may be recorded for it now (from 30 minutes before its start). */
async function sessionOpenForAttendance(deps: Deps, programId: string, sessionId: string) {
  const session = await deps.sessions.getSession(programId, sessionId);
  if (!session) throw new NotFoundError(`session ${sessionId} does not exist`);
  const tooEarly = attendanceTooEarly(session, deps.clock.now());
  if (tooEarly) throw new ConflictError(tooEarly);
}

export const clientUpdateSchema = z
  .object({
    track: entityIdSchema,
    phase: entityIdSchema.nullable(),
    busy: z.array(weeklyWindowSchema).max(50),
    clinicianId: entityIdSchema,
    quietHours: clientSchema.shape.quietHours,
    adolescent: z.boolean(),
  })
  .partial()
  .strict();

async function mustGetClient(deps: Deps, programId: string, clientId: string) {
  const client = await deps.clients.getClient(programId, clientId);
  if (!client) throw new NotFoundError(`client ${clientId} does not exist`);
  return client;
}

const staff = ['clinician', 'admin'] as const;

/** The HTTP API: every route parses its input with zod; invalid input is a 400 naming the field. */
export const routes: Route[] = [
  {
    method: 'POST',
    path: '/programs',
    roles: ['admin'],
    body: programSchema,
    async run(deps, req) {
      return { status: 201, body: await createProgram(deps, parse(programSchema, req.body, 'body')) };
    },
  },
  {
    method: 'GET',
    path: '/programs/{programId}',
    roles: [...staff],
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const program = await deps.programs.getProgram(programId);
      if (!program) throw new NotFoundError(`program ${programId} does not exist`);
      return { body: program };
    },
  },
  {
    method: 'PUT',
    path: '/programs/{programId}',
    roles: ['admin'],
    body: programSchema,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const program = parse(programSchema, req.body, 'body');
      if (program.id !== programId) throw new HttpError(400, 'body.id: must match the path');
      return { body: await updateProgram(deps, program) };
    },
  },
  {
    method: 'DELETE',
    path: '/programs/{programId}',
    roles: ['admin'],
    async run(deps, req) {
      return { body: await deleteProgram(deps, parse(programPath, req.params, 'path').programId) };
    },
  },
  {
    method: 'PUT',
    path: '/programs/{programId}/clinicians/{clinicianId}',
    roles: ['admin'],
    body: clinicianSchema,
    async run(deps, req) {
      const { programId, clinicianId } = parse(clinicianPath, req.params, 'path');
      const clinician = parse(clinicianSchema, req.body, 'body');
      if (clinician.id !== clinicianId) throw new HttpError(400, 'body.id: must match the path');
      if (!(await deps.programs.getProgram(programId)))
        throw new NotFoundError(`program ${programId} does not exist`);
      await deps.programs.putClinician(programId, clinician);
      return { body: clinician };
    },
  },
  {
    method: 'POST',
    path: '/programs/{programId}/clients',
    roles: [...staff],
    body: enrolmentSchema,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const client = parse(enrolmentSchema, req.body, 'body');
      await checkClientReferences(deps, await mustGetProgram(deps, programId), client);
      const result = await enrolClient(deps, programId, client);
      return { status: 201, body: result };
    },
  },
  {
    method: 'GET',
    path: '/programs/{programId}/clients/{clientId}',
    roles: [...staff],
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      return { body: await mustGetClient(deps, programId, clientId) };
    },
  },
  {
    method: 'PATCH',
    path: '/programs/{programId}/clients/{clientId}',
    roles: [...staff],
    body: clientUpdateSchema,
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      const changes = parse(clientUpdateSchema, req.body, 'body');
      const program = await mustGetProgram(deps, programId);
      await checkClientReferences(deps, program, changes);
      if (changes.phase && !program.phases.some((p) => p.id === changes.phase))
        throw fieldError('body.phase', `program has no phase ${changes.phase}`);
      const { phase, ...rest } = changes;
      // Applied to the client as it is when written: a concurrent discharge or opt-out stays.
      const { client: updated } = await changeClient(deps, programId, clientId, (client) =>
        clientSchema.parse({
          ...client,
          ...rest,
          ...(phase === null ? { phase: undefined } : phase ? { phase } : {}),
        }),
      );
      // Sessions not yet generated follow the change; existing ones stay until staff move them.
      await scheduleCurrentWeeks(deps, programId, [clientId]);
      return { body: updated };
    },
  },
  {
    method: 'GET',
    path: '/programs/{programId}/sessions',
    roles: [...staff],
    query: weekQuery,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const query = parse(weekQuery, req.query, 'query');
      if (query.week)
        return {
          body: { week: query.week, sessions: await deps.sessions.listSessionsByWeek(programId, query.week) },
        };
      const program = await mustGetProgram(deps, programId);
      const from = query.from!;
      const to = query.to!;
      const weeks = [
        ...new Set(Array.from({ length: daysFrom(from, to) + 1 }, (_, i) => isoWeekOfDate(addDays(from, i)))),
      ];
      const range = {
        from: localToUtc(from, '00:00', program.timezone),
        to: addMinutes(localToUtc(addDays(to, 1), '00:00', program.timezone), -1),
      };
      const page = await deps.sessions.listSessionsPage(programId, weeks, range, pageOf(query));
      return { body: { from, to, sessions: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
    },
  },
  {
    method: 'GET',
    path: '/programs/{programId}/clients/{clientId}/sessions',
    roles: [...staff],
    query: rangeQuery,
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      const range = parse(rangeQuery, req.query, 'query');
      return { body: { sessions: await deps.sessions.listSessionsByClient(programId, clientId, range) } };
    },
  },
  {
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/attendance',
    roles: [...staff],
    body: attendanceBody,
    async run(deps, req) {
      const { programId, sessionId } = parse(sessionPath, req.params, 'path');
      const { status } = parse(attendanceBody, req.body, 'body');
      await sessionOpenForAttendance(deps, programId, sessionId);
      return { body: await recordAttendance(deps, { programId, sessionId, status }) };
    },
  },
  {
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/check-in',
    roles: [...staff],
    async run(deps, req) {
      const { programId, sessionId } = parse(sessionPath, req.params, 'path');
      await sessionOpenForAttendance(deps, programId, sessionId);
      return { body: await recordAttendance(deps, { programId, sessionId, status: 'present' }) };
    },
  },
  {
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/cancel',
    roles: [...staff],
    async run(deps, req) {
      const { programId, sessionId } = parse(sessionPath, req.params, 'path');
      return { body: await cancelSessionById(deps, programId, sessionId) };
    },
  },
  {
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/reschedule',
    roles: [...staff],
    body: rescheduleBody,
    async run(deps, req) {
      const { programId, sessionId } = parse(sessionPath, req.params, 'path');
      const start = addMinutes(parse(rescheduleBody, req.body, 'body').start, 0);
      await checkReschedule(deps, programId, sessionId, start);
      return { body: await rescheduleSession(deps, { programId, sessionId, start }) };
    },
  },
  {
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/consent',
    roles: [...staff],
    body: consentSchema,
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      const consent = parse(consentSchema, req.body, 'body');
      return { body: await recordConsent(deps, programId, clientId, consent) };
    },
  },
  {
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/opt-out',
    roles: [...staff],
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      return { body: await optOut(deps, programId, clientId) };
    },
  },
  {
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/opt-in',
    roles: [...staff],
    body: consentSchema,
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      const consent = parse(consentSchema, req.body, 'body');
      return { body: await optIn(deps, programId, clientId, consent) };
    },
  },
  {
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/discharge',
    roles: [...staff],
    body: dischargeBody,
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      const { status } = parse(dischargeBody, req.body, 'body');
      return { body: await endEnrolment(deps, programId, clientId, status) };
    },
  },
];

const flagPath = programPath.extend({ flagId: z.string().min(1).max(64) });
const dateRange = z
  .object({ from: boundedDateSchema, to: boundedDateSchema })
  .strict()
  .refine((r) => r.from <= r.to, { error: 'expected from on or before to', path: ['from'] });

/** Screens and flags (issues 5 and 6): results, the fairness report, the flag queue and its audit trail. */
routes.push(
  {
    method: 'POST',
    path: '/programs/{programId}/screens/results',
    roles: [...staff],
    body: screenResultBody,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const input = parse(screenResultBody, req.body, 'body');
      const program = await mustGetProgram(deps, programId);
      const today = localDateOf(deps.clock.now(), program.timezone);
      if (input.date > today)
        throw fieldError(
          'body.date',
          `${input.date} is in the future (today is ${today} in ${program.timezone})`,
        );
      return { status: 201, body: await recordScreenResult(deps, { programId, ...input }) };
    },
  },
  {
    method: 'GET',
    path: '/programs/{programId}/screens/report',
    roles: [...staff],
    query: dateRange,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const { from, to } = parse(dateRange, req.query, 'query');
      const program = await deps.programs.getProgram(programId);
      if (!program) throw new NotFoundError(`program ${programId} does not exist`);
      return { body: await screensReport(deps, program, from, to) };
    },
  },
  {
    method: 'GET',
    path: '/programs/{programId}/screens/draws/{date}',
    roles: [...staff],
    async run(deps, req) {
      const { programId, date } = parse(programPath.extend({ date: z.iso.date() }), req.params, 'path');
      const draw = await deps.screening.getDraw(programId, date);
      if (!draw) throw new NotFoundError(`no draw on ${date}`);
      return { body: { ...draw, verified: verifyDraw(draw) } };
    },
  },
  {
    method: 'GET',
    path: '/programs/{programId}/flags',
    roles: [...staff],
    query: flagsQuery,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const query = parse(flagsQuery, req.query, 'query');
      const filter = {
        rule: query.rule,
        escalated: query.severity === undefined ? undefined : query.severity === 'critical',
      };
      const page = await deps.flags.listOpenFlagsPage(programId, filter, pageOf(query));
      return { body: { flags: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
    },
  },
  {
    method: 'GET',
    path: '/programs/{programId}/flags/{flagId}',
    roles: [...staff],
    async run(deps, req) {
      const { programId, flagId } = parse(flagPath, req.params, 'path');
      const flag = await deps.flags.getFlag(programId, flagId);
      if (!flag) throw new NotFoundError(`flag ${flagId} does not exist`);
      return { body: { flag, audit: await deps.flags.listAudit(programId, flagId) } };
    },
  },
  {
    method: 'POST',
    path: '/programs/{programId}/flags/{flagId}/acknowledge',
    roles: [...staff],
    async run(deps, req) {
      const { programId, flagId } = parse(flagPath, req.params, 'path');
      return { body: await acknowledgeFlag(deps, programId, flagId, req.caller.subject) };
    },
  },
  {
    method: 'POST',
    path: '/programs/{programId}/flags/{flagId}/resolve',
    roles: [...staff],
    body: resolveBody,
    async run(deps, req) {
      const { programId, flagId } = parse(flagPath, req.params, 'path');
      const { note } = parse(resolveBody, req.body, 'body');
      return { body: await resolveFlag(deps, programId, flagId, req.caller.subject, note) };
    },
  },
);

/**
 * A move onto another session of the client (or of the clinician), or outside the clinician's
 * availability, is a 409 naming the conflict; nothing is written.
 */
async function checkReschedule(deps: Deps, programId: string, sessionId: string, start: string) {
  const program = await mustGetProgram(deps, programId);
  const session = await deps.sessions.getSession(programId, sessionId);
  if (!session) throw new NotFoundError(`session ${sessionId} does not exist`);
  const end = addMinutes(start, minutesBetween(session.start, session.end));
  // Sessions last at most 8 hours: any that overlaps [start, end) starts after start - 8 h.
  const clientSessions = await deps.sessions.listSessionsByClient(programId, session.clientId, {
    from: addMinutes(start, -8 * 60),
    to: end,
  });
  const clinicianId = session.kind === 'group' ? undefined : session.clinicianId;
  const weekSessions = clinicianId
    ? (
        await Promise.all(
          [...new Set([isoWeekOf(start, program.timezone), isoWeekOf(end, program.timezone)])].map((w) =>
            deps.sessions.listSessionsByWeek(programId, w),
          ),
        )
      )
        .flat()
        .filter((s) => s.clinicianId === clinicianId)
    : [];
  const clinician = clinicianId
    ? (await deps.programs.listClinicians(programId)).find((c) => c.id === clinicianId)
    : undefined;
  const conflict = rescheduleConflict({
    session,
    start,
    end,
    others: [...clientSessions, ...weekSessions],
    ...(clinician ? { clinician } : {}),
    zone: program.timezone,
  });
  if (conflict) throw new ConflictError(`start: ${conflict}`);
}

const daysFrom = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/** The list routes a new user starts from (issue 13): who am I, my programs, their people. */
routes.push(
  {
    method: 'GET',
    path: '/me',
    roles: [...staff],
    async run(_deps, req) {
      const { subject, roles, programs } = req.caller;
      return { body: { subject, roles, programs } };
    },
  },
  {
    method: 'GET',
    path: '/programs',
    roles: [...staff],
    query: listQuery,
    async run(deps, req) {
      const query = parse(listQuery, req.query, 'query');
      const page = await deps.programs.listProgramsPage(pageOf(query));
      const mine = req.caller.programs;
      // A clinician sees only their programs: a page may hold fewer than `limit`, the cursor goes on.
      const items = mine === 'all' ? page.items : page.items.filter((p) => mine.includes(p.id));
      return { body: { programs: items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
    },
  },
  {
    method: 'GET',
    path: '/programs/{programId}/clients',
    roles: [...staff],
    query: clientsQuery,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const query = parse(clientsQuery, req.query, 'query');
      await mustGetProgram(deps, programId);
      const page = await deps.clients.listClientsPage(
        programId,
        { status: query.status, track: query.track },
        pageOf(query),
      );
      return { body: { clients: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
    },
  },
  {
    method: 'GET',
    path: '/programs/{programId}/clinicians',
    roles: [...staff],
    query: listQuery,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const query = parse(listQuery, req.query, 'query');
      await mustGetProgram(deps, programId);
      const page = await deps.programs.listCliniciansPage(programId, pageOf(query));
      return { body: { clinicians: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
    },
  },
);

/** The schema of every path parameter, by name: the same ones the routes parse with (and the document shows). */
export const pathParamSchemas: Record<string, z.ZodType> = {
  ...programPath.shape,
  ...clientPath.shape,
  ...sessionPath.shape,
  ...clinicianPath.shape,
  ...flagPath.shape,
  date: z.iso.date(),
};
