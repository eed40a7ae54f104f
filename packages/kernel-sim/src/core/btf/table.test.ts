import { readFileSync } from 'node:fs';
import { BpfError } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelBtfBytes } from '../../kbtf/kernel-btf.js';
import { BtfRejectedError, BtfTable } from './table.js';
import { fixupLikeLibbpf } from './testing.js';

const testdata = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../../uapi/src/btf/testdata/${name}.btf`, import.meta.url)));
const xdpParser = fixupLikeLibbpf(testdata('xdp_parser'));
const mapInMap = fixupLikeLibbpf(testdata('map_in_map'));

function failure(run: () => unknown): BpfError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(BpfError);
    return e as BpfError;
  }
  throw new Error('it succeeded');
}

const ids = (table: BtfTable): number[] => {
  const out: number[] = [];
  for (let id = 0; ; ) {
    try {
      id = table.nextId(id);
    } catch {
      return out;
    }
    out.push(id);
  }
};

describe('BTF table - ids', () => {
  it("id 1 is the kernel's BTF, named vmlinux, with the bytes of /sys/kernel/btf/vmlinux", () => {
    const table = new BtfTable();
    expect(table.info(1)).toEqual({ id: 1, name: 'vmlinux', kernel_btf: true, btf_size: kernelBtfBytes().length, btf: kernelBtfBytes() });
    expect(ids(table)).toEqual([1]);
  });

  it('loaded objects take ids from 2, never reused; a refused blob takes none', () => {
    const table = new BtfTable();
    expect(table.load({ btf: xdpParser }).object.id).toBe(2);
    expect(failure(() => table.load({ btf: testdata('xdp_parser') })).code).toBe('EINVAL');
    expect(table.load({ btf: mapInMap }).object.id).toBe(3);
    table.close(2);
    expect(table.load({ btf: xdpParser }).object.id).toBe(4);
    expect(ids(table)).toEqual([1, 3, 4]);
    expect(table.info(3)).toEqual({ id: 3, name: '', kernel_btf: false, btf_size: mapInMap.length, btf: mapInMap });
  });

  it('the object keeps its own copy of the bytes', () => {
    const table = new BtfTable();
    const bytes = xdpParser.slice();
    const { object } = table.load({ btf: bytes });
    bytes.fill(0);
    expect(table.info(object.id).btf).toEqual(xdpParser);
  });
});

describe('BTF table - references', () => {
  it('close frees an object nothing holds; its id stops resolving', () => {
    const table = new BtfTable();
    const { object } = table.load({ btf: xdpParser });
    table.close(object.id);
    expect(failure(() => table.info(object.id)).code).toBe('ENOENT');
    expect(failure(() => table.close(object.id)).code).toBe('ENOENT');
  });

  it('a holder keeps the object after close; the last put frees it', () => {
    const table = new BtfTable();
    const { object } = table.load({ btf: xdpParser });
    table.hold(object.id);
    table.hold(object.id);
    table.close(object.id);
    expect(failure(() => table.close(object.id)).code).toBe('EBADF');
    table.put(object.id);
    expect(table.info(object.id).id).toBe(object.id);
    table.put(object.id);
    expect(failure(() => table.info(object.id)).code).toBe('ENOENT');
  });

  it("the kernel's BTF cannot be closed and outlives every holder", () => {
    const table = new BtfTable();
    expect(failure(() => table.close(1)).code).toBe('EPERM');
    table.hold(1);
    table.put(1);
    expect(table.info(1).kernel_btf).toBe(true);
    expect(failure(() => table.put(1)).code).toBe('EINVAL');
  });
});

describe('BTF table - btf_load attributes and the log', () => {
  it('log level 0: no log on success; on a refusal only the lines that say why', () => {
    const table = new BtfTable();
    expect(table.load({ btf: xdpParser }).log).toBeUndefined();
    const e = failure(() => table.load({ btf: testdata('map_in_map') }));
    expect(e).toBeInstanceOf(BtfRejectedError);
    expect((e as BtfRejectedError).log).toBe('[70] DATASEC .maps size=0 vlen=8 size == 0\n');
  });

  it('log level 1: the whole log and its true size, on success and on a refusal', () => {
    const table = new BtfTable();
    const ok = table.load({ btf: xdpParser, btf_log_level: 1 });
    expect(ok.log).toMatch(/^magic: 0xeb9f\nversion: 1\n(.*\n)*\[1\] PTR \(anon\) type_id=3\n/);
    expect(ok.logTrueSize).toBe(Buffer.byteLength(ok.log!) + 1);
    const e = failure(() => table.load({ btf: testdata('map_in_map'), btf_log_level: 1 })) as BtfRejectedError;
    expect(e.log).toMatch(/^magic: 0xeb9f\n/);
    expect(e.log).toMatch(/\n\[69\] VAR LICENSE type_id=68 linkage=1\n\[70\] DATASEC \.maps size=0 vlen=8 size == 0\n$/);
  });

  it('a log larger than btf_log_size fails with ENOSPC, keeping its tail (or its head with BPF_LOG_FIXED)', () => {
    const table = new BtfTable();
    const whole = table.load({ btf: xdpParser, btf_log_level: 1 }).log!;
    const tail = failure(() => table.load({ btf: xdpParser, btf_log_level: 1, btf_log_size: 100 })) as BtfRejectedError;
    expect([tail.code, tail.log]).toEqual(['ENOSPC', whole.slice(-99)]);
    const head = failure(() => table.load({ btf: xdpParser, btf_log_level: 1 | 8, btf_log_size: 100 })) as BtfRejectedError;
    expect([head.code, head.log]).toEqual(['ENOSPC', whole.slice(0, 99)]);
    expect(table.load({ btf: xdpParser, btf_log_level: 1, btf_log_size: whole.length + 1 }).log).toBe(whole);
    expect(ids(table)).toEqual([1, 2, 3]);
  });

  it.each([
    ['btf_flags', { btf_flags: 0x10000 }, 'EINVAL'],
    ['a log size without a log level', { btf_log_size: 4096 }, 'EINVAL'],
    ['unknown log level bits', { btf_log_level: 16 }, 'EINVAL'],
    ['a btf_size that is not the length', { btf_size: 12 }, 'EINVAL'],
  ])('refuses %s', (_, attr, code) => {
    const table = new BtfTable();
    expect(failure(() => table.load({ btf: xdpParser, ...attr })).code).toBe(code);
    expect(ids(table)).toEqual([1]);
  });

  it('refuses more than 16 MiB with E2BIG', () => {
    expect(failure(() => new BtfTable().load({ btf: new Uint8Array(16 * 1024 * 1024 + 1) })).code).toBe('E2BIG');
  });
});
