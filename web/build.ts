import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The web app's sources and its build (web/dist, what CloudFront serves and npm start serves). */
export const WEB_DIR = dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = join(WEB_DIR, 'dist');
const STAMP = join(WEB_DIST, '.build-hash');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** A hash of everything the build reads: a changed source (or a pulled commit) means rebuild. */
export function sourceHash(): string {
  const hash = createHash('sha256');
  const inputs = [
    join(WEB_DIR, 'index.html'),
    join(WEB_DIR, 'vite.config.ts'),
    ...files(join(WEB_DIR, 'src')),
  ];
  for (const file of inputs.sort()) hash.update(relative(WEB_DIR, file)).update(readFileSync(file));
  // Always a production build: a build stamped before this rule may be a development one.
  hash.update('mode:production');
  return hash.digest('hex');
}

export const buildIsCurrent = () =>
  existsSync(join(WEB_DIST, 'index.html')) &&
  existsSync(STAMP) &&
  readFileSync(STAMP, 'utf8') === sourceHash();

/**
 * Builds the app when web/dist is missing or older than its sources (about a second with Vite 8);
 * npm start and the test setup call it, so a fresh clone needs no separate build step.
 */
export async function ensureWebBuild(
  log: (line: string) => void = () => undefined,
): Promise<'built' | 'current'> {
  if (buildIsCurrent()) return 'current';
  const hash = sourceHash();
  const { build } = await import('vite');
  // Vitest runs with NODE_ENV=test, and Vite builds React's development bundle (500 KB) under any
  // NODE_ENV but production: whoever builds first (the tests, npm start, cdk), the build is the
  // production one that CloudFront serves.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: resolve(WEB_DIR, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(STAMP, hash);
  log(`Built the web app into ${relative(process.cwd(), WEB_DIST) || WEB_DIST}`);
  return 'built';
}

/** The first load's JavaScript: every script and module preload index.html names (the test setup builds it). */
export function firstLoadJs(): { files: string[]; bytes: number; gzipped: number } {
  const html = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\/([^"]+\.js)"/g),
  ].map((m) => m[1]!);
  const contents = files.map((f) => readFileSync(join(WEB_DIST, f)));
  return {
    files,
    bytes: contents.reduce((n, c) => n + c.byteLength, 0),
    gzipped: contents.reduce((n, c) => n + gzipSync(c, { level: 9 }).byteLength, 0),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await ensureWebBuild(console.log);
  const js = firstLoadJs();
  console.log(
    `First load: ${js.files.join(', ')}: ${(js.bytes / 1024).toFixed(1)} KB, ${(js.gzipped / 1024).toFixed(1)} KB gzipped`,
  );
}
