/**
 * Words that must never reach a lock screen (42 CFR Part 2): they reveal that the person is in
 * substance-use treatment. Checked against program names and every SMS body.
 */
export const FORBIDDEN_SMS_WORDS = [
  'drug',
  'test',
  'screen',
  'urine',
  'treatment',
  'recovery',
  'iop',
  'relapse',
  'sober',
  'rehab',
  'substance',
  'addiction',
  'detox',
  'alcohol',
  'opioid',
  'methadone',
  'suboxone',
] as const;

/** The forbidden words found in `text`, matched case-insensitively anywhere (so "testing" counts). */
export function forbiddenWordsIn(text: string): string[] {
  const lower = text.toLowerCase();
  return FORBIDDEN_SMS_WORDS.filter((word) => lower.includes(word));
}
