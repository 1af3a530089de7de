import type { ActivityEvent, ActivityLog } from '../../functions/ports/activity-log.port.ts';
import type { Clock } from '../../functions/ports/clock.port.ts';

export interface StampedEvent extends ActivityEvent {
  at: string;
}

/** Keeps every event, stamped with the clock's instant, and passes it to listeners (console, JSONL). */
export class RecordingActivityLog implements ActivityLog {
  readonly events: StampedEvent[] = [];
  private readonly listeners: ((event: StampedEvent) => void)[] = [];

  constructor(private readonly clock: Clock) {}

  record(event: ActivityEvent): void {
    const { type, ...fields } = event;
    const stamped: StampedEvent = { type, at: this.clock.now(), ...fields };
    this.events.push(stamped);
    for (const listener of this.listeners) listener(stamped);
  }

  onEvent(listener: (event: StampedEvent) => void): void {
    this.listeners.push(listener);
  }

  ofType(type: string): StampedEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}
