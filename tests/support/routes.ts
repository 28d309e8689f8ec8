import type { Express } from 'express';
import { ACCESS, PAGE } from '../../src/auth/access.js';
import type { Role } from '../../src/auth/roles.js';
import { MOUNT_PATH } from '../../src/api/router.js';

/** One route of the app with the access its guard declares (undefined: no guard). */
export interface RouteInfo {
  method: string;
  path: string;
  /** A portal page's role(s), or `api:<scope>` for an API route. */
  access: Role | Role[] | 'PUBLIC' | 'MAIN_CONTACT' | `api:${string}` | undefined;
  /** The page of the table (src/auth/pages.ts) whose guard it uses; undefined: not from the table. */
  page: string | undefined;
  /** True for a route of the integration API (mounted under /api/v1, token instead of session). */
  api: boolean;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown }[] };
  handle?: { stack?: Layer[]; [MOUNT_PATH]?: string };
}

/**
 * Every route of the app, walking mounted routers. The portal's routers mount at "/"; the API
 * router carries its mount path (MOUNT_PATH). `api: true` lists the API's routes instead of the portal's.
 */
export function listRoutes(app: Express, opts: { api?: boolean } = {}): RouteInfo[] {
  const out: RouteInfo[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        // The guard must be the first handler, so nothing runs before it.
        const first = layer.route.stack[0]?.handle as { [ACCESS]?: RouteInfo['access']; [PAGE]?: string } | undefined;
        for (const method of Object.keys(layer.route.methods)) {
          out.push({
            method: method.toUpperCase(),
            path: prefix + layer.route.path,
            access: first?.[ACCESS],
            page: first?.[PAGE],
            api: prefix !== '',
          });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (layer.handle[MOUNT_PATH] ?? ''));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out.filter((r) => r.api === !!opts.api);
}
