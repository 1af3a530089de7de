import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ActivityEvent, ActivityLog } from '../../ports/activity-log.port.ts';
import type { Log } from '../../use-cases/deps.ts';

/**
 * The fields an activity log line may carry: ids, counts, times and neutral codes. Anything else
 * (a phone number, a message body, a screen result, evidence) stays out, including any field
 * added later (an allow-list, not a deny-list).
 */
const LOGGED_FIELDS = new Set([
  'type',
  'sessionId',
  'clientId',
  'flagId',
  'drawId',
  'messageId',
  'purpose',
  'offsetMinutes',
  'kind',
  'status',
  'rule',
  'date',
  'week',
  'start',
  'end',
  'poolSize',
  'selectedCount',
  'hours',
  'minimum',
  'keyword',
]);
/** `reason` values that say nothing about a screen's outcome; others are logged as `clinical-review`. */
const NEUTRAL_REASONS = new Set([
  'opted-out',
  'no-consent',
  'inactive',
  'quiet-hours',
  'cancelled',
  're-engaged',
  'staff',
  'random',
  'minimum',
  'missed-session',
  'disengagement',
  'escalation',
  'all-clear',
  'client-reply',
]);

/** The event as it may be logged. */
export function loggableActivity(event: ActivityEvent): Record<string, unknown> {
  const safe: Record<string, unknown> = Object.fromEntries(
    Object.entries(event).filter(([key]) => LOGGED_FIELDS.has(key)),
  );
  if (event.reason !== undefined)
    safe.reason = NEUTRAL_REASONS.has(String(event.reason)) ? event.reason : 'clinical-review';
  return safe;
}

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
    const safe = loggableActivity(event);
    this.log.info(`activity ${event.type}`, { activity: safe });
    if (!this.metrics) return;
    const detail = event.type.startsWith('sms.')
      ? `.${String(safe.purpose ?? safe.keyword)}${safe.reason ? `.${String(safe.reason)}` : ''}`
      : '';
    this.metrics.addMetric(`${event.type}${detail}`, MetricUnit.Count, 1);
  }
}
