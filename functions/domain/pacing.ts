import { addMinutes, utcInstantOf } from './zoned-time.ts';

/**
 * Paced sending (issue 16): the plan an earliest-deadline-first drain makes of messages that are
 * due, at an origination identity's rate. Pure: the outbox drainer follows it, and the scale
 * benchmark (bench/scale.ts) measures it on the week's real bursts.
 */

/** A message waiting to go out: due from `dueAt`, of no use after `cutoff` (both UTC instants). */
export interface PacedMessage {
  key: string;
  dueAt: string;
  cutoff: string;
}

export interface PacedSend {
  key: string;
  /** The instant it goes out: never before it is due, never two in one slot of an identity. */
  sendAt: string;
  /** Index of the identity of the pool that sends it. */
  identity: number;
  /** Seconds after it was due. */
  latenessSeconds: number;
  /** It would go out after its cut-off: the drainer settles it as too late instead of sending. */
  late: boolean;
}

const byDeadline = (a: PacedMessage, b: PacedMessage) =>
  a.cutoff < b.cutoff ? -1 : a.cutoff > b.cutoff ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/**
 * Earliest deadline first, `perSecond` messages per second on each of `identities` numbers: each
 * slot (one identity, one 1/perSecond of a second) goes to the due message with the earliest
 * cut-off. Messages that become due later wait for their time; ties go by key, so the plan is the
 * same on every run.
 */
export function planPacedSends(
  messages: readonly PacedMessage[],
  options: { perSecond: number; identities?: number },
): PacedSend[] {
  const identities = options.identities ?? 1;
  if (!(options.perSecond > 0) || !Number.isInteger(identities) || identities < 1)
    throw new RangeError('perSecond must be positive and identities a whole number from 1');
  const slotMs = 1000 / options.perSecond;
  const waiting = [...messages].sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
  const free = Array.from({ length: identities }, () => Number.NEGATIVE_INFINITY);
  const ready = new MinHeap<PacedMessage>(byDeadline);
  const plan: PacedSend[] = [];
  let next = 0;
  // The plan's time only moves forward: whatever is ready is due by now.
  let now = Number.NEGATIVE_INFINITY;
  while (plan.length < waiting.length) {
    // The earliest free slot of any identity, but not before the next message is due.
    const identity = free.indexOf(Math.min(...free));
    let at = Math.max(free[identity]!, now);
    if (ready.size === 0) at = Math.max(at, Date.parse(waiting[next]!.dueAt));
    now = at;
    while (next < waiting.length && Date.parse(waiting[next]!.dueAt) <= at) ready.push(waiting[next++]!);
    const message = ready.pop()!;
    // Instants are whole milliseconds: a send is never early, by at most 1 ms late on its slot.
    const sendAt = new Date(Math.ceil(at)).toISOString();
    plan.push({
      key: message.key,
      sendAt,
      identity,
      latenessSeconds: (at - Date.parse(message.dueAt)) / 1000,
      late: sendAt > message.cutoff,
    });
    free[identity] = at + slotMs;
  }
  return plan;
}

/** A binary heap: the least item by `compare` comes out first (a burst of thousands stays n log n). */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i]!, items[parent]!) >= 0) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && this.compare(items[left]!, items[least]!) < 0) least = left;
      if (right < items.length && this.compare(items[right]!, items[least]!) < 0) least = right;
      if (least === i) break;
      [items[i], items[least]] = [items[least]!, items[i]!];
      i = least;
    }
    return top;
  }
}

/**
 * The key an origination identity goes by in the queue (the table's keys and job names allow only
 * letters, digits and dashes): `+12025550100` → `12025550100`. No identity configured (SNS picks
 * the account's default) is `default`.
 */
export function identityKey(identity: string | undefined): string {
  const key = (identity ?? '').replace(/[^A-Za-z0-9]/g, '').slice(-30);
  return key || 'default';
}

/**
 * Which identity of the pool texts a phone number: always the same one for the same number (a
 * client hears from one number, and their replies and STOP reach that number), spread evenly over
 * the pool. Rendezvous hashing: each number goes to the identity whose hash with it is highest, so
 * adding a number to a pool of n moves only about 1 client in n + 1 (to the new number), and
 * removing one moves only its own clients.
 */
export function identityFor(phone: string, pool: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const identity of pool) {
    const score = fnv1a(`${phone}|${identity}`);
    if (score > bestScore || (score === bestScore && best !== undefined && identity < best)) {
      best = identity;
      bestScore = score;
    }
  }
  return best;
}

/** FNV-1a, 32 bits, then mixed (murmur3's finaliser) so close inputs spread: stable across runs and machines. */
function fnv1a(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * How long a message may wait in the queue before its deadline, by purpose, when nothing harder
 * (a session start) applies: an answer to the client's own text goes first, then what the care
 * plan needs today; EDF orders by the resulting deadline.
 */
export const QUEUE_DEADLINE_MINUTES = {
  help: 2,
  'opt-in': 2,
  'missed-session': 60,
  'screen-notice': 120,
  reminder: 60,
} as const satisfies Record<string, number>;

/** The deadline a queued message is ordered by: the session start for a reminder, else by purpose. */
export function queueDeadline(
  purpose: keyof typeof QUEUE_DEADLINE_MINUTES,
  dueAt: string,
  sessionStart?: string,
): string {
  if (purpose === 'reminder' && sessionStart) return sessionStart;
  return addMinutes(dueAt, QUEUE_DEADLINE_MINUTES[purpose]);
}

/** A rate window: one second of one identity, in which at most `perSecond` messages go out. */
export const windowOf = (instant: string) => Math.floor(Date.parse(instant) / 1000);
/** The first instant of the window after the one `instant` falls in. */
export const nextWindowStart = (instant: string) => utcInstantOf((windowOf(instant) + 1) * 1000);
