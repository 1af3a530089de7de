import { appendFileSync } from 'node:fs';
import type { Clock } from '../../functions/ports/clock.port.ts';
import type { CareTeamAlert, CareTeamNotifier, SmsSender } from '../../functions/ports/notifier.port.ts';

export interface OutboxEntry {
  channel: 'sms' | 'care-team';
  at: string;
  messageId: string;
  [field: string]: unknown;
}

/**
 * The local stand-in for SNS: messages are kept, optionally printed and appended to an outbox
 * file (JSON lines). Opt-outs a client texted STOP for are kept as SNS keeps its opted-out list.
 */
export class LocalNotifier implements SmsSender, CareTeamNotifier {
  readonly outbox: OutboxEntry[] = [];
  private readonly optedOut = new Set<string>();
  private counter = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: { print?: (line: string) => void; outboxFile?: string } = {},
  ) {}

  private deliver(entry: Omit<OutboxEntry, 'at' | 'messageId'>, line: (e: OutboxEntry) => string) {
    this.counter += 1;
    const full = {
      ...entry,
      at: this.clock.now(),
      messageId: `local-${String(this.counter).padStart(6, '0')}`,
    } as OutboxEntry;
    this.outbox.push(full);
    this.options.print?.(line(full));
    if (this.options.outboxFile) appendFileSync(this.options.outboxFile, `${JSON.stringify(full)}\n`);
    return { messageId: full.messageId };
  }

  async send(message: { to: string; body: string; from?: string }) {
    return this.deliver({ channel: 'sms', ...message }, (e) => `📱 SMS ${e.at} to ${e.to}: ${e.body}`);
  }

  async isOptedOut(phone: string) {
    return this.optedOut.has(phone);
  }

  async optIn(phone: string) {
    this.optedOut.delete(phone);
  }

  /** A STOP reply, as the carrier reports it. */
  markOptedOut(phone: string, optedOut: boolean) {
    if (optedOut) this.optedOut.add(phone);
    else this.optedOut.delete(phone);
  }

  async alert(alert: CareTeamAlert) {
    return this.deliver(
      { channel: 'care-team', ...alert },
      (e) => `🩺 CARE TEAM ${e.at} [${alert.severity}] ${alert.subject}\n   ${alert.body}`,
    );
  }
}
