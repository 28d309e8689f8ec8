import type { Express } from 'express';
import { ACCESS, PAGE } from '../../src/auth/access.js';
import type { Role } from '../../src/auth/roles.js';

/** One route of the app with the access its guard declares (undefined: no guard). */
export interface RouteInfo {
  method: string;
  path: string;
  access: Role | Role[] | 'PUBLIC' | 'MAIN_CONTACT' | undefined;
  /** The page of the table (src/auth/pages.ts) whose guard it uses; undefined: not from the table. */
  page: string | undefined;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown }[] };
  handle?: { stack?: Layer[] };
}

/** Every route of the app, walking mounted routers (all PIM routers mount at "/"). */
export function listRoutes(app: Express): RouteInfo[] {
  const out: RouteInfo[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        // The guard must be the first handler, so nothing runs before it.
        const first = layer.route.stack[0]?.handle as { [ACCESS]?: Role | Role[] | 'PUBLIC' | 'MAIN_CONTACT'; [PAGE]?: string } | undefined;
        for (const method of Object.keys(layer.route.methods)) {
          out.push({ method: method.toUpperCase(), path: layer.route.path, access: first?.[ACCESS], page: first?.[PAGE] });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}
