// Per-consumer session views, compiled once per config or catalog change and shared by every session of that consumer.
import type { GatewaySettings } from '../config/types.ts';
import { type Catalog, compileCatalog, type UpstreamListing } from '../policy/catalog.ts';
import { viewOfCatalog } from '../policy/catalog-view.ts';
import { type CompiledPermissions, compilePermissions } from '../policy/permissions.ts';
import { sessionCatalogFromView } from './catalog-adapter.ts';
import type { SessionCatalog } from './session-catalog.ts';

export interface ViewCache {
  catalog(consumer: string): SessionCatalog;
  /** New settings (a reload): permissions recompiled now, so a bad rule throws here, before any swap. */
  setSettings(settings: GatewaySettings): void;
  /** The upstream catalogs changed (list_changed, restart, servers added or removed). */
  invalidate(): void;
}

export function createViewCache(
  initial: GatewaySettings,
  listings: () => readonly UpstreamListing[],
): ViewCache {
  let settings = initial;
  let permissions: CompiledPermissions = compilePermissions(initial);
  let compiled: Catalog | undefined;
  const views = new Map<string, SessionCatalog>();

  return {
    catalog(consumer) {
      const cached = views.get(consumer);
      if (cached) return cached;
      compiled ??= compileCatalog(listings(), settings);
      const view = sessionCatalogFromView(viewOfCatalog(compiled, consumer, permissions));
      views.set(consumer, view);
      return view;
    },
    setSettings(next) {
      const nextPermissions = compilePermissions(next);
      settings = next;
      permissions = nextPermissions;
      compiled = undefined;
      views.clear();
    },
    invalidate() {
      compiled = undefined;
      views.clear();
    },
  };
}
