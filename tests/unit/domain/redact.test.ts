import { describe, expect, it } from 'vitest';
import { redactError, redactText } from '../../../functions/domain/redact.ts';

describe('redaction of logged errors', () => {
  it('masks phone numbers and e-mail addresses however they are written', () => {
    expect(redactText('Invalid parameter: PhoneNumber Reason: +12025550101 is not valid')).toBe(
      'Invalid parameter: PhoneNumber Reason: [phone] is not valid',
    );
    expect(redactText('call (202) 555-0101 or 202.555.0101')).toBe('call ([phone] or [phone]');
    expect(redactText('sent to lee@clinic.example')).toBe('sent to [email]');
  });

  it('keeps instants, dates and short ids readable', () => {
    const text = 'session g-1 at 2027-01-04T23:00:00Z (week 2027-W01), attempt 3 of 10';
    expect(redactText(text)).toBe(text);
  });

  it('keeps the name and the stack, redacted', () => {
    const error = Object.assign(new Error('Invalid parameter: PhoneNumber +12025550101'), {
      name: 'InvalidParameterException',
    });
    const redacted = redactError(error);
    expect(redacted.name).toBe('InvalidParameterException');
    expect(redacted.message).not.toContain('2025550101');
    expect(redacted.stack).toContain('InvalidParameterException');
    expect(redacted.stack).toContain('redact.test.ts');
    expect(redacted.stack).not.toContain('2025550101');
  });
});
