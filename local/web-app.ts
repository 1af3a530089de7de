import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { contentSecurityPolicy, HSTS_SECONDS, REFERRER_POLICY } from '../web/security-headers.ts';
import { requestUrl, type WebHandler } from './http-adapter.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** The headers CloudFront adds in AWS (see infra/constructs/web-app.ts), the same here. */
export const localSecurityHeaders = {
  'content-security-policy': contentSecurityPolicy(),
  'strict-transport-security': `max-age=${HSTS_SECONDS}; includeSubDomains`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': REFERRER_POLICY,
};

export interface LocalWebOptions {
  /** The built app (web/dist). */
  dir: string;
  /** Minutes without activity before the app signs the user out. @default the app's own (15) */
  idleMinutes?: number;
}

/**
 * The care-team web app on the local server: `/config.json` says "local sign-in"; existing files of
 * the build are served; any other GET that asks for HTML gets index.html (the app's own routes,
 * such as an alert's `/programs/{programId}/clients/{clientId}`). Everything else is left to the
 * API, so `curl localhost:3000/programs` still reaches it.
 */
export function localWebApp(options: LocalWebOptions): WebHandler {
  const config = JSON.stringify({
    mode: 'local',
    ...(options.idleMinutes ? { idleMinutes: options.idleMinutes } : {}),
  });
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(requestUrl(req.url)?.pathname ?? '/%');
    } catch {
      return false; // not a path of the app (`/%zz`): the API answers it (404)
    }
    if (pathname === '/config.json') {
      res.writeHead(200, {
        'content-type': TYPES['.json']!,
        'cache-control': 'no-store',
        ...localSecurityHeaders,
      });
      res.end(req.method === 'HEAD' ? undefined : config);
      return true;
    }
    const file = normalize(join(options.dir, pathname));
    const inside = file.startsWith(options.dir + sep);
    if (inside && pathname !== '/' && existsSync(file) && statSync(file).isFile()) {
      send(res, file, pathname.startsWith('/assets/'));
      return true;
    }
    if ((req.headers.accept ?? '').includes('text/html')) {
      send(res, join(options.dir, 'index.html'), false);
      return true;
    }
    return false;
  };
}

function send(res: Parameters<WebHandler>[1], file: string, immutable: boolean) {
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...localSecurityHeaders,
  });
  createReadStream(file).pipe(res);
}
