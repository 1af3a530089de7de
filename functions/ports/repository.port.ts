import type { Client } from '../domain/client.schema.ts';
import type { Clinician } from '../domain/clinician.schema.ts';
import type { Flag, FlagAudit } from '../domain/flag.schema.ts';
import type { Reply } from '../domain/inbound-sms.ts';
import type { Program } from '../domain/program.schema.ts';
import type { Screen } from '../domain/screen.schema.ts';
import type { DrawRecord } from '../domain/screening.ts';
import type { Session, Shortfall } from '../domain/session.schema.ts';

/** What the use cases need from storage. DynamoDB is the truth; a schedule is only a hint. */

/** A page of a listing: `cursor` (opaque) asks for the next one, absent on the last page. */
export interface Page<T> {
  items: T[];
  cursor?: string;
}
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}
/** A cursor this listing did not hand out (tampered, or from another listing). */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor: not a cursor this listing handed out');
  }
}

export interface ProgramRepository {
  getProgram(programId: string): Promise<Program | undefined>;
  /** Creates the program; false when one with that id exists already. */
  createProgram(program: Program): Promise<boolean>;
  putProgram(program: Program): Promise<void>;
  /** Deletes the program item (its clients, sessions and other records stay); false when there was none. */
  deleteProgram(programId: string): Promise<boolean>;
  listPrograms(): Promise<Program[]>;
  listClinicians(programId: string): Promise<Clinician[]>;
  listProgramsPage(page: PageRequest): Promise<Page<Program>>;
  listCliniciansPage(programId: string, page: PageRequest): Promise<Page<Clinician>>;
  putClinician(programId: string, clinician: Clinician): Promise<void>;
}

export interface ClientRepository {
  getClient(programId: string, clientId: string): Promise<Client | undefined>;
  /** Creates the client; false when one with that id exists already. */
  createClient(programId: string, client: Client): Promise<boolean>;
  /** Replaces the client when the stored one is still at `expectedVersion`; false when it changed meanwhile. */
  updateClient(programId: string, client: Client, expectedVersion: number): Promise<boolean>;
  listClients(programId: string): Promise<Client[]>;
  /** Every client record with this phone number, in any program (an inbound SMS names only the number). */
  findClientsByPhone(phone: string): Promise<{ programId: string; client: Client }[]>;
  listClientsPage(
    programId: string,
    filter: { status?: string | undefined; track?: string | undefined },
    page: PageRequest,
  ): Promise<Page<Client>>;
}

export interface SessionRepository {
  getSession(programId: string, sessionId: string): Promise<Session | undefined>;
  listSessionsByWeek(programId: string, week: string): Promise<Session[]>;
  listSessionsByClient(
    programId: string,
    clientId: string,
    /** Session starts from `from` to `to`, both inclusive. */
    range?: { from?: string; to?: string },
  ): Promise<Session[]>;
  /**
   * The program's sessions of the given weeks (program-local ISO weeks, in order) that start from
   * `from` to `to` (UTC instants, inclusive), by start.
   */
  listSessionsPage(
    programId: string,
    weeks: readonly string[],
    range: { from: string; to: string },
    page: PageRequest,
  ): Promise<Page<Session>>;
  /** Writes the sessions in batches of 25, retrying unprocessed items. */
  putSessions(sessions: Session[]): Promise<void>;
  /** Replaces a session when its version is still `expectedVersion`; false when it changed meanwhile. */
  replaceSession(session: Session, expectedVersion: number): Promise<boolean>;
  putShortfalls(shortfalls: Shortfall[]): Promise<void>;
  listShortfalls(programId: string, week: string): Promise<Shortfall[]>;
}

export interface ScreeningRepository {
  /** Writes the draw once; false when a draw for that program and date exists already. */
  createDraw(draw: DrawRecord): Promise<boolean>;
  getDraw(programId: string, date: string): Promise<DrawRecord | undefined>;
  listDraws(programId: string, from: string, to: string): Promise<DrawRecord[]>;
  getScreen(programId: string, clientId: string, date: string): Promise<Screen | undefined>;
  /** Writes the screen if none exists for that client and date; false when one does. */
  createScreen(screen: Screen): Promise<boolean>;
  /** Replaces the screen when the stored one is still at `expectedVersion`; false when it changed meanwhile. */
  updateScreen(screen: Screen, expectedVersion: number): Promise<boolean>;
  listScreensByClient(programId: string, clientId: string): Promise<Screen[]>;
}

export interface FlagRepository {
  /**
   * Creates the flag, with its `raised` audit entry, if the client has no open flag for its rule
   * (invariant 7); false otherwise.
   */
  openFlag(flag: Flag, audit: FlagAudit): Promise<boolean>;
  getFlag(programId: string, flagId: string): Promise<Flag | undefined>;
  /**
   * Saves a change to a flag, with its audit entry in the same transaction, when the stored flag
   * is still at `expectedVersion`; false when someone changed it meanwhile. Resolving a flag
   * frees its (client, rule) slot for a new flag.
   */
  updateFlag(flag: Flag, expectedVersion: number, audit?: FlagAudit): Promise<boolean>;
  listFlagsByClient(programId: string, clientId: string): Promise<Flag[]>;
  listOpenFlags(programId: string): Promise<Flag[]>;
  /** Open flags, by client; `escalated` keeps only those that were escalated (critical) or only those not. */
  listOpenFlagsPage(
    programId: string,
    filter: { escalated?: boolean | undefined; rule?: string | undefined },
    page: PageRequest,
  ): Promise<Page<Flag>>;
  addAudit(programId: string, entry: FlagAudit): Promise<void>;
  listAudit(programId: string, flagId: string): Promise<FlagAudit[]>;
}

export interface ReplyRepository {
  /**
   * Keeps a client's reply once per inbound message id, until `expiresAt` (epoch seconds, the
   * program's retention); false when it was kept before (a duplicate delivery).
   */
  recordReply(reply: Reply, expiresAt: number): Promise<boolean>;
  getReply(inboundMessageId: string): Promise<Reply | undefined>;
  /** Records the session a confirm confirmed, once: false when the reply confirmed one already. */
  setConfirmedSession(inboundMessageId: string, sessionId: string): Promise<boolean>;
  /** Marks the reply handled (every effect done); written last. */
  markHandled(inboundMessageId: string, at: string): Promise<void>;
  /** A client's replies, newest first. */
  listRepliesByClient(programId: string, clientId: string, page: PageRequest): Promise<Page<Reply>>;
}
