import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { FUNCTION_SPECS } from '../infra/functions.ts';
import { median, progress, round } from './support.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CONSTRUCT = join(ROOT, 'infra/constructs/cadence-function.ts');

/** Raised from 300 KB when the Powertools Tracer (and with it the X-Ray SDK, ~125 KB) joined every bundle (issue 12). */
export const BUNDLE_LIMIT_BYTES = 400 * 1024;
export const IMPORT_LIMIT_MS = 150;
const IMPORT_RUNS = 10;

export interface Bundling {
  externalModules: string[];
  minify: boolean;
  sourceMap: boolean;
  target: string;
  mainFields: string[];
  banner: string;
}

/**
 * The bundling options of CadenceFunction (infra/constructs/cadence-function.ts), read from its
 * source so the bench follows a change there (e.g. externalising @aws-sdk). NodejsFunction turns
 * them into esbuild flags: --bundle --platform=node --format=esm --outfile=index.mjs plus these.
 */
export async function constructBundling(): Promise<Bundling> {
  const text = await readFile(CONSTRUCT, 'utf8');
  const block = text.slice(text.indexOf('bundling: {'));
  const list = (name: string) =>
    [...(block.match(new RegExp(`${name}:\\s*\\[([^\\]]*)\\]`))?.[1] ?? '').matchAll(/'([^']+)'/g)].map(
      (m) => m[1]!,
    );
  const bool = (name: string) => new RegExp(`${name}:\\s*true`).test(block);
  if (!/format:\s*OutputFormat\.ESM/.test(block)) throw new Error('CadenceFunction no longer bundles ESM');
  return {
    externalModules: list('externalModules'),
    minify: bool('minify'),
    sourceMap: bool('sourceMap'),
    target: block.match(/target:\s*'([^']+)'/)?.[1] ?? 'node24',
    mainFields: list('mainFields'),
    banner: block.match(/banner:\s*\n?\s*"([^"]+)"/)?.[1] ?? '',
  };
}

const esbuildOptions = (
  entry: string,
  outfile: string,
  b: Bundling,
  plugins: Plugin[] = [],
): BuildOptions => ({
  entryPoints: [join(ROOT, entry)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: b.target,
  minify: b.minify,
  sourcemap: b.sourceMap,
  mainFields: b.mainFields,
  external: b.externalModules,
  ...(b.banner ? { banner: { js: b.banner } } : {}),
  plugins,
  metafile: true,
  write: true,
  logLevel: 'error',
});

/**
 * What-if: `import * as z from 'zod'` instead of `import { z } from 'zod'`, applied in memory to
 * functions/** while bundling (the source is not changed). The named import pulls zod's whole
 * namespace object, locales included; the namespace import lets esbuild drop what is unused.
 */
const zodNamespaceImport: Plugin = {
  name: 'zod-namespace-import',
  setup(b) {
    b.onLoad({ filter: /[\\/]functions[\\/].*\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replace(
        /import \{ z \} from 'zod';/g,
        "import * as z from 'zod';",
      ),
      loader: 'ts',
    }));
  },
};

interface Built {
  bytes: number;
  mapBytes: number;
  /** Output bytes by package (node_modules/<pkg>) or "src". */
  byPackage: Record<string, number>;
}

async function bundle(entry: string, outfile: string, b: Bundling, plugins: Plugin[] = []): Promise<Built> {
  const result = await build(esbuildOptions(entry, outfile, b, plugins));
  const outputs = Object.entries(result.metafile!.outputs);
  const [, main] = outputs.find(([, o]) => o.entryPoint)!;
  const map = outputs.find(([name]) => name.endsWith('.map'));
  const byPackage: Record<string, number> = {};
  for (const [input, { bytesInOutput }] of Object.entries(main.inputs)) {
    const pkg = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? 'src';
    byPackage[pkg] = (byPackage[pkg] ?? 0) + bytesInOutput;
  }
  return { bytes: main.bytes, mapBytes: map?.[1].bytes ?? 0, byPackage };
}

const RUNNER = `const t = performance.now();
await import(process.argv[2]);
process.stdout.write(String(performance.now() - t));
`;

interface Timing {
  inside: number[];
  wall: number[];
}

/** One fresh `node [flags] runner.mjs file`: import time inside it, and the process's wall time. */
function spawnImport(dir: string, file: string, flags: string[], into: Timing) {
  const t = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [...flags, join(dir, 'runner.mjs'), file], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', TABLE_NAME: 'bench' },
  });
  into.wall.push(Number(process.hrtime.bigint() - t) / 1e6);
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
  into.inside.push(Number(run.stdout));
}

/**
 * IMPORT_RUNS rounds; each round imports every file once, so a burst of load from other work on
 * the machine lands on all files alike instead of on one; medians per file.
 */
function timeImports(dir: string, runs: { key: string; file: string; flags: string[] }[]) {
  const timings = new Map(runs.map((r) => [r.key, { inside: [], wall: [] } as Timing]));
  for (let i = 0; i < IMPORT_RUNS; i++)
    for (const r of runs) spawnImport(dir, r.file, r.flags, timings.get(r.key)!);
  return (key: string) => {
    const t = timings.get(key)!;
    return { importMs: round(median(t.inside), 1), wallMs: median(t.wall) };
  };
}

export interface BundleResult {
  name: string;
  entry: string;
  bytes: number;
  sourceMapBytes: number;
  /** As deployed: NODE_OPTIONS=--enable-source-maps (CadenceFunction's environment). */
  importMs: number;
  importMsWithoutSourceMaps: number;
  /** Whole-process wall time minus an empty node process, with source maps. */
  processMs: number;
  largestPackages: { name: string; bytes: number }[];
  /** What-if sizes, same entry: zod namespace import; and that with @aws-sdk/* external. */
  whatIf: { zodNamespaceImportBytes: number; zodNamespaceImportAndSdkExternalBytes: number };
}

export interface BundlesReport {
  nodeVersion: string;
  bundling: Bundling;
  baselineProcessMs: number;
  bundles: BundleResult[];
  /** Import time of the what-if bundles of one function (send-reminder), with source maps. */
  whatIfImport: {
    name: string;
    asIs: number;
    zodNamespaceImport: number;
    zodNamespaceImportAndSdkExternal: number;
  };
}

export async function measureBundles(): Promise<BundlesReport> {
  if (!process.versions.node.startsWith('24.'))
    throw new Error(`bundles must be timed on Node 24 (Lambda nodejs24.x); this is ${process.versions.node}`);
  const bundling = await constructBundling();
  const dir = await mkdtemp(join(tmpdir(), 'cadence-bench-'));
  try {
    await writeFile(join(dir, 'runner.mjs'), RUNNER);
    await writeFile(join(dir, 'empty.mjs'), '');
    // Externalised packages resolve from the repository, as Lambda resolves @aws-sdk from its runtime.
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');

    const built = [];
    for (const spec of FUNCTION_SPECS) {
      progress(`bundle ${spec.name}`);
      const file = join(dir, `${spec.name}.mjs`);
      const zodFile = join(dir, `${spec.name}.zod.mjs`);
      const extFile = join(dir, `${spec.name}.zod-sdk-external.mjs`);
      built.push({
        spec,
        file,
        zodFile,
        extFile,
        asIs: await bundle(spec.entry, file, bundling),
        zod: await bundle(spec.entry, zodFile, bundling, [zodNamespaceImport]),
        ext: await bundle(
          spec.entry,
          extFile,
          { ...bundling, externalModules: [...bundling.externalModules, '@aws-sdk/*'] },
          [zodNamespaceImport],
        ),
      });
    }

    progress(`import times: ${IMPORT_RUNS} rounds of fresh node processes`);
    const maps = ['--enable-source-maps'];
    const whatIf = built.find((b) => b.spec.name === 'send-reminder') ?? built[0]!;
    const timing = timeImports(dir, [
      { key: 'empty', file: join(dir, 'empty.mjs'), flags: [] },
      ...built.flatMap((b) => [
        { key: `${b.spec.name} maps`, file: b.file, flags: maps },
        { key: `${b.spec.name} plain`, file: b.file, flags: [] },
      ]),
      { key: 'what-if zod', file: whatIf.zodFile, flags: maps },
      { key: 'what-if ext', file: whatIf.extFile, flags: maps },
    ]);
    const baselineMs = timing('empty').wallMs;

    const bundles: BundleResult[] = built.map((b) => {
      const withMaps = timing(`${b.spec.name} maps`);
      return {
        name: b.spec.name,
        entry: b.spec.entry,
        bytes: b.asIs.bytes,
        sourceMapBytes: b.asIs.mapBytes,
        importMs: withMaps.importMs,
        importMsWithoutSourceMaps: timing(`${b.spec.name} plain`).importMs,
        processMs: round(withMaps.wallMs - baselineMs, 1),
        largestPackages: Object.entries(b.asIs.byPackage)
          .sort((x, y) => y[1] - x[1])
          .slice(0, 5)
          .map(([name, bytes]) => ({ name, bytes })),
        whatIf: {
          zodNamespaceImportBytes: b.zod.bytes,
          zodNamespaceImportAndSdkExternalBytes: b.ext.bytes,
        },
      };
    });
    return {
      nodeVersion: process.versions.node,
      bundling,
      baselineProcessMs: round(baselineMs, 1),
      bundles,
      whatIfImport: {
        name: whatIf.spec.name,
        asIs: timing(`${whatIf.spec.name} maps`).importMs,
        zodNamespaceImport: timing('what-if zod').importMs,
        zodNamespaceImportAndSdkExternal: timing('what-if ext').importMs,
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
