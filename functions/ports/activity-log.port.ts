/**
 * What happened, as the spec's events (scenario-spec.md "Output events"). The local runtime and
 * the simulator print and record them; in AWS they go to the structured log without PHI.
 */
export interface ActivityEvent {
  type: string;
  [field: string]: unknown;
}

export interface ActivityLog {
  record(event: ActivityEvent): void | Promise<void>;
}

export const silentActivityLog: ActivityLog = { record: () => undefined };
