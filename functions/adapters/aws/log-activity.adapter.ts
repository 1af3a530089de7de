import type { ActivityEvent, ActivityLog } from '../../ports/activity-log.port.ts';
import type { Log } from '../../use-cases/deps.ts';

/** Fields that may carry PHI: never logged. */
const PHI_FIELDS = new Set(['to', 'body', 'phone', 'result', 'evidence']);

/** In AWS the activity goes to the structured log (CloudWatch), without PHI. */
export class LoggedActivity implements ActivityLog {
  constructor(private readonly log: Log) {}

  record(event: ActivityEvent): void {
    const safe = Object.fromEntries(Object.entries(event).filter(([key]) => !PHI_FIELDS.has(key)));
    this.log.info(`activity ${event.type}`, { activity: safe });
  }
}
