import type { Clock } from '../../functions/ports/clock.port.ts';

/** A clock that moves only when told: the simulator's time. */
export class VirtualClock implements Clock {
  constructor(private current: string) {}

  now(): string {
    return this.current;
  }

  set(instant: string): void {
    if (instant < this.current)
      throw new Error(`the virtual clock cannot go back from ${this.current} to ${instant}`);
    this.current = instant;
  }
}
