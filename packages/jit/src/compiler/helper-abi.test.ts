import { HelperId } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { CLASSIC_ABI, type HelperAbi, abiFuncType, helperImportName, parseHelperImport, typedHelperAbi } from './helper-abi.js';

describe('jit helper ABI', () => {
  it.each<[string, number, HelperAbi, string]>([
    ['bpf_map_lookup_elem: map and key pointers, a map value pointer back', HelperId.map_lookup_elem, { params: ['u32', 'u32'], result: 'u32' }, '1:uu:u'],
    ['bpf_map_update_elem: pointers, then u64 flags', HelperId.map_update_elem, { params: ['u32', 'u32', 'u32', 'i64'], result: 'i64' }, '2:uuui:i'],
    ['bpf_ktime_get_ns: nothing in, a u64 out', HelperId.ktime_get_ns, { params: [], result: 'i64' }, '5::i'],
    ['bpf_loop: a count, a callback (a 64-bit function address), a stack pointer, flags', HelperId.loop, { params: ['i64', 'i64', 'u32', 'i64'], result: 'i64' }, '181:iiui:i'],
    ['bpf_probe_read_kernel: an unsafe pointer stays 64-bit', HelperId.probe_read_kernel, { params: ['u32', 'u32', 'i64'], result: 'i64' }, '113:uui:i'],
    ['bpf_ringbuf_reserve: a record pointer back', HelperId.ringbuf_reserve, { params: ['u32', 'u32', 'i64'], result: 'u32' }, '131:uui:u'],
    ['bpf_trace_printk: variadic, so every register', HelperId.trace_printk, CLASSIC_ABI, '6'],
    ['an id without a prototype', 0x7ff5, CLASSIC_ABI, '32757'],
  ])('%s', (_title, id, abi, name) => {
    expect(typedHelperAbi(id)).toEqual(abi);
    expect(helperImportName(id, abi)).toBe(name);
    expect(parseHelperImport(name)).toEqual({ id, abi });
  });

  it('the classic ABI is five i64s to an i64, imported under the bare id', () => {
    expect(abiFuncType(CLASSIC_ABI)).toEqual({ params: ['i64', 'i64', 'i64', 'i64', 'i64'], results: ['i64'] });
    expect(helperImportName(12, CLASSIC_ABI)).toBe('12');
    expect(abiFuncType(typedHelperAbi(HelperId.map_lookup_elem))).toEqual({ params: ['i32', 'i32'], results: ['i32'] });
  });

  it.each(['', 'x', '1:uu', '1:uuuuuu:i', '1:ux:i', '-1', '1::'])('an import name no compiler writes (%j) is not a helper', (name) => {
    expect(parseHelperImport(name)).toBeUndefined();
  });
});
