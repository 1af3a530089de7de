/**
 * The one redaction step every logged error passes through (invariant 8). Cadence stores no client
 * names; what can leak into an error is what a provider echoes back: a phone number (an SNS
 * InvalidParameter names the number), an e-mail address, a message body. Phone numbers and
 * e-mail addresses are masked wherever they appear, in the message and in the stack.
 */
const PHONE = /\+?\d[\d\s().-]{6,}\d/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

export function redactText(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, (match) => {
    // Instants, dates and ids are not phone numbers: keep anything that looks like a date or time.
    if (/\d{4}-\d{2}-\d{2}/.test(match) || /\d{2}:\d{2}/.test(match)) return match;
    return '[phone]';
  });
}

export interface RedactedError {
  name: string;
  message: string;
  stack?: string;
}

/** An error as it may be logged: its name, and its message and stack with PHI masked. */
export function redactError(error: unknown): RedactedError {
  if (!(error instanceof Error)) return { name: 'unknown', message: redactText(String(error)) };
  return {
    name: error.name,
    message: redactText(error.message),
    ...(error.stack ? { stack: redactText(error.stack) } : {}),
  };
}
