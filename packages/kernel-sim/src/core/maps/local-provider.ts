import { BpfError } from '@bpfhive/uapi';
import type { BpfMap, MapDirectory } from '@bpfhive/maps-store';
import type { MapProvider } from '../ports.js';

/**
 * The phase-1 MapProvider: maps from a MapDirectory built on the kernel's own arena, so a map a
 * program uses is the very map the directory's syscall commands read and write. Nothing moves:
 * acquire looks the map up, release does nothing. (The maps-store lease comes in a later phase.)
 */
export class LocalMapProvider implements MapProvider {
  constructor(private readonly directory: MapDirectory) {}

  acquire(mapId: number): Promise<BpfMap> {
    try {
      return Promise.resolve(this.directory.get(mapId));
    } catch (e) {
      if (e instanceof BpfError && e.code === 'ENOENT') {
        return Promise.reject(new BpfError('EBADF', `map ${mapId}: no such map in this kernel`, { cause: e }));
      }
      return Promise.reject(e as Error);
    }
  }

  release(): void {}
}
