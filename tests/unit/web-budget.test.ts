import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstLoadJs, WEB_DIST } from '../../web/build.ts';

describe('the web app budget', () => {
  it('loads at most 200 KB of JavaScript, gzipped, on first load', () => {
    const { files, gzipped } = firstLoadJs();
    expect(files.length).toBeGreaterThan(0);
    expect(gzipped).toBeLessThanOrEqual(200 * 1024);
  });

  it("is React's production build, whoever built it (this test run has NODE_ENV=test)", () => {
    const { files } = firstLoadJs();
    for (const file of files) {
      const js = readFileSync(join(WEB_DIST, file), 'utf8');
      // Strings only React's development build carries.
      expect(js).not.toMatch(/react-stack-bottom-frame|cannot be a child of/);
    }
  });
});
