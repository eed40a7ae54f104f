import { type Btf, type MapCreateRequest, MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { type BpfClient, BpfSyscallError } from '../client/index.js';
import { MapPinning, type MapSpec } from '../object/index.js';
import { Ledger } from './ledger.js';
import { type MapContext, mapBtfAttr, obtainMap } from './maps.js';

/** map_create's BTF fields as libbpf passes them (bpf_object__create_map), and its retry without BTF. */
const btf: Btf = {
  types: [
    { kind: 'VOID', name: '' },
    { kind: 'INT', name: 'u32', size: 4, encoding: 0, bitsOffset: 0, bits: 32 }, // 1
    { kind: 'STRUCT', name: 'val', size: 16, kflag: false, members: [] }, // 2
  ],
} as unknown as Btf;
const objectBtf = { id: 9, btf };
const map = (over: Partial<MapSpec> = {}): MapSpec => ({
  name: 'vals', sectionName: '.maps', origin: 'btf', type: MapType.HASH, keySize: 4, valueSize: 16, maxEntries: 4, flags: 0, numaNode: 0, mapExtra: 0,
  pinning: MapPinning.NONE, pinPath: undefined, btfKeyTypeId: 1, btfValueTypeId: 2, innerMap: undefined, initialSlots: [], contents: undefined, freeze: false,
  ...over,
} as MapSpec);

describe('map create - BTF fields', () => {
  it('map create BTF - a BTF-defined map names the object BTF and its key and value types', () => {
    expect(mapBtfAttr(map(), objectBtf)).toEqual({ btf_id: 9, btf_key_type_id: 1, btf_value_type_id: 2 });
  });

  it('map create BTF - a map with only a value type (key_size given as a number) passes no key type', () => {
    expect(mapBtfAttr(map({ btfKeyTypeId: 0 }), objectBtf)).toEqual({ btf_id: 9, btf_value_type_id: 2 });
  });

  it.each([
    ['no object BTF', map(), undefined],
    ['no value type', map({ btfValueTypeId: 0, btfKeyTypeId: 0 }), objectBtf],
    ['a perf event array', map({ type: MapType.PERF_EVENT_ARRAY }), objectBtf],
    ['a map of maps', map({ type: MapType.ARRAY_OF_MAPS }), objectBtf],
    ['a queue', map({ type: MapType.QUEUE }), objectBtf],
    ['a value type of another size (the kernel would refuse it; libbpf retries without)', map({ valueSize: 24 }), objectBtf],
    ['a key type of another size', map({ keySize: 8 }), objectBtf],
  ])('map create BTF - none for %s', (_, spec, given) => {
    expect(mapBtfAttr(spec, given)).toEqual({});
  });

  it('map create BTF - EINVAL with BTF: created again without it, with libbpf\'s warning', async () => {
    const calls: MapCreateRequest[] = [];
    const warnings: string[] = [];
    const client = {
      mapCreate: async (attr: MapCreateRequest) => {
        calls.push(attr);
        if (attr.btf_id !== undefined) throw new BpfSyscallError('EINVAL', 'map_check_btf');
        return 42;
      },
    } as unknown as BpfClient;
    const ctx: MapContext = { client, ledger: new Ledger({ close: async () => {}, unpin: async () => {} } as never), options: { onWarning: (w) => void warnings.push(w) }, kconfig: undefined, btf: objectBtf };
    const record = await obtainMap(ctx, map());
    expect(record.entry.id).toBe(42);
    expect(calls.map((c) => c.btf_id)).toEqual([9, undefined]);
    expect(warnings).toEqual([expect.stringMatching(/^Error in bpf_create_map_xattr\(vals\): EINVAL .*Retrying without BTF\.$/)]);
  });

  it('map create BTF - any refusal is retried without BTF, as libbpf does; the second refusal is the one reported', async () => {
    const calls: MapCreateRequest[] = [];
    const client = {
      mapCreate: async (attr: MapCreateRequest) => {
        calls.push(attr);
        throw new BpfSyscallError(attr.btf_id === undefined ? 'EPERM' : 'E2BIG', 'no');
      },
    } as unknown as BpfClient;
    const ctx: MapContext = { client, ledger: new Ledger({ close: async () => {}, unpin: async () => {} } as never), options: {}, kconfig: undefined, btf: objectBtf };
    await expect(obtainMap(ctx, map())).rejects.toMatchObject({ code: 'EPERM' });
    expect(calls.map((c) => c.btf_id)).toEqual([9, undefined]);
  });

  it('map create BTF - a map created without BTF is not retried', async () => {
    let calls = 0;
    const client = { mapCreate: async () => Promise.reject(new BpfSyscallError('EPERM', `no ${++calls}`)) } as unknown as BpfClient;
    const ctx: MapContext = { client, ledger: new Ledger({ close: async () => {}, unpin: async () => {} } as never), options: {}, kconfig: undefined };
    await expect(obtainMap(ctx, map())).rejects.toMatchObject({ code: 'EPERM' });
    expect(calls).toBe(1);
  });
});
