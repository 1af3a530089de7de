import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The project carries its own docs: every link in README.md and docs/ resolves inside the repo. */
describe('README and docs links', () => {
  const files = [
    'README.md',
    ...readdirSync('docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => join('docs', f)),
  ];
  const links = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => ({ file, target: m[1]! })),
  );

  it('finds links to check', () => {
    expect(links.length).toBeGreaterThan(5);
  });

  it.each(files)('%s links only to files of the repo', (file) => {
    for (const { target } of links.filter((l) => l.file === file)) {
      expect(target, `${file} -> ${target}`).not.toMatch(/^[a-z]+:/i);
      const path = target.split('#')[0]!;
      if (path) expect(existsSync(join(dirname(file), path)), `${file} -> ${target}`).toBe(true);
    }
  });
});
