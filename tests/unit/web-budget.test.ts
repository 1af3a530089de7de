import { describe, expect, it } from 'vitest';
import { firstLoadJs } from '../../web/build.ts';

describe('the web app budget', () => {
  it('loads at most 200 KB of JavaScript, gzipped, on first load', () => {
    const { files, gzipped } = firstLoadJs();
    expect(files.length).toBeGreaterThan(0);
    expect(gzipped).toBeLessThanOrEqual(200 * 1024);
  });
});
