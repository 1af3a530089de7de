import type { AlertCategory, CareTeamReason } from '../ports/notifier.port.ts';
import type { Deps } from './deps.ts';
import { confirmSent, guarded } from './send-sms.ts';

const SEVERITY: Record<CareTeamReason, 'info' | 'warning' | 'critical'> = {
  'missed-session': 'warning',
  disengagement: 'warning',
  'screen-missed': 'warning',
  'screen-positive': 'critical',
  escalation: 'critical',
  'all-clear': 'info',
  'client-reply': 'info',
};

/** The neutral category that stands for the reason wherever a subject or attribute may be seen. */
const CATEGORY: Record<CareTeamReason, AlertCategory> = {
  'missed-session': 'attendance',
  disengagement: 'engagement',
  'screen-missed': 'clinical-review',
  'screen-positive': 'clinical-review',
  escalation: 'escalation',
  'all-clear': 'all-clear',
  'client-reply': 'client-reply',
};

export type CareTeamDeps = Pick<Deps, 'careTeam' | 'ledger' | 'clock' | 'activity' | 'appBaseUrl'>;

export const clientLink = (deps: Pick<Deps, 'appBaseUrl'>, programId: string, clientId: string) =>
  `${deps.appBaseUrl}/programs/${programId}/clients/${clientId}`;

/** The flag's page in the care-team web app (ids only, like every link). */
export const flagLink = (deps: Pick<Deps, 'appBaseUrl'>, programId: string, flagId: string) =>
  `${deps.appBaseUrl}/programs/${programId}/flags/${flagId}`;

/**
 * One alert to the care-team topic, once per subject (ledger claim). Minimal PHI: the client id,
 * the reason, an explanation without names, phone numbers or results, and a link. A refused
 * publish gives the claim back and throws, so the job's retry sends it.
 */
export async function alertCareTeam(
  deps: CareTeamDeps,
  alert: {
    programId: string;
    clientId: string;
    reason: CareTeamReason;
    subjectId: string;
    text: string;
    flagId?: string;
  },
): Promise<boolean> {
  const key = { programId: alert.programId, subjectId: alert.subjectId, purpose: `alert-${alert.reason}` };
  if (!(await deps.ledger.claim(key, deps.clock.now()))) return false;
  const body =
    `${alert.text} Client ${alert.clientId}: ${clientLink(deps, alert.programId, alert.clientId)}` +
    (alert.flagId ? ` Flag: ${flagLink(deps, alert.programId, alert.flagId)}` : '');
  const { messageId } = await guarded(deps.ledger, key, () =>
    deps.careTeam.alert({
      programId: alert.programId,
      clientId: alert.clientId,
      reason: alert.reason,
      category: CATEGORY[alert.reason],
      severity: SEVERITY[alert.reason],
      subject: `Cadence ${CATEGORY[alert.reason]} (${SEVERITY[alert.reason]}): client ${alert.clientId}`,
      body,
      ...(alert.flagId ? { flagId: alert.flagId } : {}),
    }),
  );
  await deps.activity.record({
    type: 'careteam.alert',
    clientId: alert.clientId,
    reason: alert.reason,
    ...(alert.flagId ? { flagId: alert.flagId } : {}),
    body,
  });
  await confirmSent(deps.ledger, key, messageId, deps.clock.now());
  return true;
}
