/** Every key the table uses, in one place; docs/data-model.md explains the access pattern of each. */
export const keys = {
  program: (programId: string) => ({
    pk: `PROGRAM#${programId}`,
    sk: 'PROGRAM',
    gsi1pk: 'PROGRAMS',
    gsi1sk: programId,
  }),
  clinician: (programId: string, clinicianId: string) => ({
    pk: `PROGRAM#${programId}`,
    sk: `CLINICIAN#${clinicianId}`,
  }),
  client: (programId: string, clientId: string) => ({ pk: `PROGRAM#${programId}`, sk: `CLIENT#${clientId}` }),
  /** On the client item: every client with a phone number, across programs (an inbound SMS). */
  clientByPhone: (phone: string, programId: string, clientId: string) => ({
    gsi2pk: `PHONE#${phone}`,
    gsi2sk: `CLIENT#${programId}#${clientId}`,
  }),
  /** A client's SMS reply, once per inbound message id. */
  reply: (inboundMessageId: string) => ({ pk: `REPLY#${inboundMessageId}`, sk: 'REPLY' }),
  replyByClient: (programId: string, clientId: string, receivedAt: string, inboundMessageId: string) => ({
    gsi2pk: `CLIENT#${programId}#${clientId}`,
    gsi2sk: `REPLY#${receivedAt}#${inboundMessageId}`,
  }),
  /** On a confirmed ledger item: the message a provider message id was (the reminder a reply answers). */
  sentMessage: (messageId: string) => ({ gsi2pk: `MESSAGE#${messageId}`, gsi2sk: 'SEND' }),
  session: (programId: string, sessionId: string) => ({
    pk: `SESSION#${programId}#${sessionId}`,
    sk: 'SESSION',
  }),
  sessionByWeek: (programId: string, week: string, start: string, sessionId: string) => ({
    gsi1pk: `WEEK#${programId}#${week}`,
    gsi1sk: `${start}#${sessionId}`,
  }),
  sessionByClient: (programId: string, clientId: string, start: string, sessionId: string) => ({
    gsi2pk: `CLIENT#${programId}#${clientId}`,
    gsi2sk: `SESSION#${start}#${sessionId}`,
  }),
  shortfall: (programId: string, week: string, clientId: string) => ({
    pk: `PROGRAM#${programId}`,
    sk: `SHORTFALL#${week}#${clientId}`,
  }),
  draw: (programId: string, date: string) => ({
    pk: `DRAW#${programId}#${date}`,
    sk: 'DRAW',
    gsi1pk: `DRAWS#${programId}`,
    gsi1sk: date,
  }),
  /**
   * One slice of a draw's per-client rows, in the draw's partition. No index keys: gsi1
   * `DRAWS#<programId>` lists draw headers only. `attempt` is the header's, so two racing writers
   * never share a chunk key.
   */
  drawChunk: (programId: string, date: string, attempt: string, index: number) => ({
    pk: `DRAW#${programId}#${date}`,
    sk: `CHUNK#${attempt}#${String(index).padStart(4, '0')}`,
  }),
  /** Every chunk of one attempt: Query the pk with sk begins_with skPrefix. */
  drawChunks: (programId: string, date: string, attempt: string) => ({
    pk: `DRAW#${programId}#${date}`,
    skPrefix: `CHUNK#${attempt}#`,
  }),
  screen: (programId: string, clientId: string, date: string) => ({
    pk: `SCREEN#${programId}#${clientId}`,
    sk: date,
  }),
  flag: (programId: string, flagId: string) => ({ pk: `FLAG#${programId}#${flagId}`, sk: 'FLAG' }),
  /** Sparse: only open flags carry it. */
  openFlag: (programId: string, clientId: string, rule: string) => ({
    gsi1pk: `OPENFLAGS#${programId}`,
    gsi1sk: `${clientId}#${rule}`,
  }),
  flagByClient: (programId: string, clientId: string, raisedAt: string) => ({
    gsi2pk: `CLIENT#${programId}#${clientId}`,
    gsi2sk: `FLAG#${raisedAt}`,
  }),
  /** The (client, rule) slot an open flag holds: at most one open flag per client and rule. */
  flagSlot: (programId: string, clientId: string, rule: string) => ({
    pk: `FLAGSLOT#${programId}#${clientId}#${rule}`,
    sk: 'SLOT',
  }),
  flagAudit: (programId: string, flagId: string, at: string, action: string) => ({
    pk: `FLAG#${programId}#${flagId}`,
    sk: `AUDIT#${at}#${action}`,
  }),
};

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'expiresAt'];

/** The stored item without its key attributes, ready for the entity's zod schema. */
export function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...item };
  for (const name of KEY_ATTRIBUTES) delete copy[name];
  return copy;
}

/**
 * The stored item as its entity, ignoring attributes the entity does not know (written by a newer
 * version, say, before a rollback): the API refuses unknown fields, a stored item is read anyway.
 */
export function storedAs<T>(
  schema: { shape: Record<string, unknown>; parse(value: unknown): T },
  item: Record<string, unknown>,
): T {
  const known = Object.fromEntries(Object.entries(withoutKeys(item)).filter(([key]) => key in schema.shape));
  return schema.parse(known);
}
