import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceNames } from '@bpfhive/uapi';

/** A service `bpfhive up` can run: the NATS micro service name is also its package folder. */
export type ServiceName = (typeof ServiceNames)[keyof typeof ServiceNames];

/**
 * Every service, in start order: the map store and the stateless workers first, the kernel last,
 * since it calls the others while it loads programs.
 */
export const SERVICES: readonly ServiceName[] = [ServiceNames.mapsStore, ServiceNames.verifier, ServiceNames.jit, ServiceNames.kernelSim];

/** The services that hold no state and scale out as queue groups (DESIGN.md §3); only they take replicas. */
export const STATELESS: ReadonlySet<ServiceName> = new Set([ServiceNames.verifier, ServiceNames.jit]);

export function isServiceName(name: string): name is ServiceName {
  return (SERVICES as readonly string[]).includes(name);
}

/**
 * The `packages/` folder of this checkout, found from this file's own location
 * (`packages/loader/{src,dist}/up/layout.*`), so `bpfhive up` works from any working directory.
 * Throws when the loader is not inside a bpfhive workspace (e.g. installed alone).
 */
export function packagesDir(moduleUrl: string = import.meta.url): string {
  const dir = fileURLToPath(new URL('../../../', moduleUrl));
  if (!existsSync(join(dir, 'loader', 'package.json'))) {
    throw new Error(`cannot find the bpfhive packages folder (looked in ${dir}): bpfhive up runs from a bpfhive checkout`);
  }
  return dir;
}

/** Where a service's built entry point is: `packages/<svc>/dist/main.js`. */
export function serviceMain(packages: string, name: ServiceName): string {
  return join(packages, name, 'dist', 'main.js');
}

/** The services whose entry point is built, and those that are not (not written yet, or not built). */
export function builtServices(packages: string): { present: ServiceName[]; missing: ServiceName[] } {
  const present = SERVICES.filter((name) => existsSync(serviceMain(packages, name)));
  return { present, missing: SERVICES.filter((name) => !present.includes(name)) };
}
