import { addDays, addMinutes, isoWeekOfDate, localToUtc } from '../domain/zoned-time.ts';
import type { PageRequest } from '../ports/repository.port.ts';
import type { Ports } from './deps.ts';
import { getProgram } from './programs.ts';

const daysFrom = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/**
 * A program's sessions: a whole ISO week, or a page of those from local date `from` to `to`
 * (inclusive, in the program's zone).
 */
export async function listProgramSessions(
  deps: Ports<'programs' | 'sessions'>,
  programId: string,
  query: { week: string } | { from: string; to: string; page: PageRequest },
) {
  if ('week' in query)
    return { week: query.week, sessions: await deps.sessions.listSessionsByWeek(programId, query.week) };
  const program = await getProgram(deps, programId);
  const { from, to } = query;
  const weeks = [
    ...new Set(Array.from({ length: daysFrom(from, to) + 1 }, (_, i) => isoWeekOfDate(addDays(from, i)))),
  ];
  const range = {
    from: localToUtc(from, '00:00', program.timezone),
    to: addMinutes(localToUtc(addDays(to, 1), '00:00', program.timezone), -1),
  };
  const page = await deps.sessions.listSessionsPage(programId, weeks, range, query.page);
  return { from, to, sessions: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/** A client's sessions, optionally between two instants. */
export async function listClientSessions(
  deps: Ports<'sessions'>,
  programId: string,
  clientId: string,
  range: { from?: string | undefined; to?: string | undefined },
) {
  return { sessions: await deps.sessions.listSessionsByClient(programId, clientId, range) };
}
