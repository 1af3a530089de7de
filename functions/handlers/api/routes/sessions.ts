import * as z from 'zod';
import {
  boundedDateSchema,
  boundedInstantSchema,
  isoWeekSchema,
  utcInstantSchema,
} from '../../../domain/common.schema.ts';
import { attendanceStatusSchema } from '../../../domain/session.schema.ts';
import { addDays } from '../../../domain/zoned-time.ts';
import { recordStaffAttendance } from '../../../use-cases/attendance.ts';
import { cancelSessionById, moveSession } from '../../../use-cases/session-changes.ts';
import { listClientSessions, listProgramSessions } from '../../../use-cases/session-lists.ts';
import { parse, type Route } from '../http.ts';
import { clientPath, pageOf, pageQuery, programPath, sessionPath, staff } from './common.ts';

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
const rangeQuery = z
  .object({ from: utcInstantSchema.optional(), to: utcInstantSchema.optional() })
  .strict()
  .refine((r) => !r.from || !r.to || r.from <= r.to, {
    error: 'expected from on or before to',
    path: ['from'],
  });
const attendanceBody = z.object({ status: attendanceStatusSchema }).strict();
const rescheduleBody = z.object({ start: boundedInstantSchema }).strict();

/** Sessions: the schedule, attendance, cancelling and moving. */
export const sessionRoutes = {
  list: {
    method: 'GET',
    path: '/programs/{programId}/sessions',
    roles: [...staff],
    query: weekQuery,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const query = parse(weekQuery, req.query, 'query');
      // The schema makes sure of either week, or from and to.
      const which = query.week
        ? { week: query.week }
        : { from: query.from!, to: query.to!, page: pageOf(query) };
      return { body: await listProgramSessions(deps, programId, which) };
    },
  },
  listForClient: {
    method: 'GET',
    path: '/programs/{programId}/clients/{clientId}/sessions',
    roles: [...staff],
    query: rangeQuery,
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      const range = parse(rangeQuery, req.query, 'query');
      return { body: await listClientSessions(deps, programId, clientId, range) };
    },
  },
  attendance: {
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/attendance',
    roles: [...staff],
    body: attendanceBody,
    async run(deps, req) {
      const { programId, sessionId } = parse(sessionPath, req.params, 'path');
      const { status } = parse(attendanceBody, req.body, 'body');
      return { body: await recordStaffAttendance(deps, { programId, sessionId, status }) };
    },
  },
  checkIn: {
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/check-in',
    roles: [...staff],
    async run(deps, req) {
      const { programId, sessionId } = parse(sessionPath, req.params, 'path');
      return { body: await recordStaffAttendance(deps, { programId, sessionId, status: 'present' }) };
    },
  },
  cancel: {
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/cancel',
    roles: [...staff],
    async run(deps, req) {
      const { programId, sessionId } = parse(sessionPath, req.params, 'path');
      return { body: await cancelSessionById(deps, programId, sessionId) };
    },
  },
  reschedule: {
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/reschedule',
    roles: [...staff],
    body: rescheduleBody,
    async run(deps, req) {
      const { programId, sessionId } = parse(sessionPath, req.params, 'path');
      const { start } = parse(rescheduleBody, req.body, 'body');
      return { body: await moveSession(deps, { programId, sessionId, start }) };
    },
  },
} satisfies Record<string, Route>;
