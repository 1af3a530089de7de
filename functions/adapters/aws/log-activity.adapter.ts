import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ActivityEvent, ActivityLog } from '../../ports/activity-log.port.ts';
import type { Log } from '../../use-cases/deps.ts';

/** Fields that may carry PHI: never logged. */
const PHI_FIELDS = new Set(['to', 'body', 'phone', 'result', 'evidence']);

/**
 * In AWS the activity goes to the structured log (CloudWatch) without PHI, and counts as a metric
 * per type (SMS also per purpose and suppression reason) for dashboards and alarms.
 */
export class LoggedActivity implements ActivityLog {
  constructor(
    private readonly log: Log,
    private readonly metrics?: Metrics,
  ) {}

  record(event: ActivityEvent): void {
    const safe = Object.fromEntries(Object.entries(event).filter(([key]) => !PHI_FIELDS.has(key)));
    this.log.info(`activity ${event.type}`, { activity: safe });
    if (!this.metrics) return;
    const detail = event.type.startsWith('sms.')
      ? `.${String(event.purpose)}${event.reason ? `.${String(event.reason)}` : ''}`
      : '';
    this.metrics.addMetric(`${event.type}${detail}`, MetricUnit.Count, 1);
  }
}
