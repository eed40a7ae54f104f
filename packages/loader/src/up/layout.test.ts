import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SERVICES, builtServices, isServiceName, packagesDir, serviceMain } from './layout.js';

describe('where the services are', () => {
  it('layout - the packages folder is found from the module, whatever the working directory', () => {
    const dir = packagesDir();
    expect(existsSync(join(dir, 'loader', 'package.json'))).toBe(true);
    expect(existsSync(join(dir, 'uapi', 'package.json'))).toBe(true);
  });

  it('layout - outside a checkout it says so', () => {
    expect(() => packagesDir(pathToFileURL('/tmp/a/b/c/layout.js').href)).toThrow(/bpfhive checkout/);
  });

  it('layout - a service runs from packages/<name>/dist/main.js', () => {
    expect(serviceMain('/r/packages', 'jit')).toBe('/r/packages/jit/dist/main.js');
  });

  it('layout - every service is either present or missing, in start order', () => {
    const { present, missing } = builtServices(packagesDir());
    expect([...present, ...missing].sort()).toEqual([...SERVICES].sort());
    expect(SERVICES.indexOf('kernel-sim')).toBe(SERVICES.length - 1);
  });

  it('layout - service names are the micro service names', () => {
    expect(SERVICES.every(isServiceName)).toBe(true);
    expect(isServiceName('loader')).toBe(false);
  });
});
