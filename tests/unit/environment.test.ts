import { describe, expect, it } from 'vitest';
import { parseEnvironment } from '../../functions/adapters/aws/environment.ts';

describe('Lambda environment', () => {
  it('stops a function whose environment lacks a variable, naming it', () => {
    expect(() => parseEnvironment({})).toThrow(/TABLE_NAME/);
  });

  it('reads the job targets a function may schedule, any subset of them', () => {
    const env = parseEnvironment({
      TABLE_NAME: 'cadence',
      JOB_TARGETS: JSON.stringify({ 'send-reminder': 'arn:aws:lambda:us-east-1:123456789012:function:send' }),
    });
    expect(env.JOB_TARGETS).toEqual({
      'send-reminder': 'arn:aws:lambda:us-east-1:123456789012:function:send',
    });
  });

  it('refuses job targets that are not a JSON object of ARNs', () => {
    expect(() =>
      parseEnvironment({ TABLE_NAME: 'cadence', JOB_TARGETS: '{"send-reminder":"nope"}' }),
    ).toThrow(/JOB_TARGETS/);
    expect(() => parseEnvironment({ TABLE_NAME: 'cadence', JOB_TARGETS: 'not json' })).toThrow(/JOB_TARGETS/);
  });
});
