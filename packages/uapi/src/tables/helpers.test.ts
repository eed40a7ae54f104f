import { describe, expect, it } from 'vitest';
import { ARG_FLAG_DOCS, ARG_KIND_DOCS, HELPERS, HelperId, RET_KIND_INFO } from '../generated/helpers.js';
import { argHasFlag, helperById, helperByName, helperName, MAX_HELPER_ID } from './helpers.js';

/** `kind[FLAG,FLAG]` for each argument, to compare prototypes in one line. */
const argsOf = (name: string): string[] =>
  (helperByName(name)?.args ?? []).map((a) => (a.flags.length ? `${a.kind}[${a.flags.join(',')}]` : a.kind));

describe('tables - helper ids', () => {
  it('tables - every helper id 0..211 is present exactly once, in order', () => {
    expect(HELPERS.length).toBe(212);
    expect(MAX_HELPER_ID).toBe(211);
    HELPERS.forEach((h, index) => expect(h.id).toBe(index));
    expect(new Set(HELPERS.map((h) => h.id)).size).toBe(HELPERS.length);
  });

  it('tables - helper names are unique', () => {
    const names = HELPERS.map((h) => h.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([
    ['map_lookup_elem', 1],
    ['map_update_elem', 2],
    ['map_delete_elem', 3],
    ['probe_read', 4],
    ['ktime_get_ns', 5],
    ['trace_printk', 6],
    ['get_prandom_u32', 7],
    ['get_smp_processor_id', 8],
    ['tail_call', 12],
    ['get_current_pid_tgid', 14],
    ['redirect', 23],
    ['perf_event_output', 25],
    ['csum_diff', 28],
    ['xdp_adjust_head', 44],
    ['redirect_map', 51],
    ['fib_lookup', 69],
    ['sk_release', 86],
    ['spin_lock', 93],
    ['probe_read_kernel', 113],
    ['ringbuf_output', 130],
    ['ringbuf_reserve', 131],
    ['ringbuf_submit', 132],
    ['get_current_task_btf', 158],
    ['snprintf', 165],
    ['timer_init', 169],
    ['get_func_ip', 173],
    ['loop', 181],
    ['user_ringbuf_drain', 209],
    ['cgrp_storage_get', 210],
    ['cgrp_storage_delete', 211],
  ])('tables - BPF_FUNC_%s is %i', (name, id) => {
    expect(HelperId[name as keyof typeof HelperId]).toBe(id);
    expect(helperByName(name)?.id).toBe(id);
  });
});

describe('tables - helper lookups', () => {
  it.each(['bpf_map_lookup_elem', 'map_lookup_elem', 'BPF_FUNC_map_lookup_elem', ' map_lookup_elem '])(
    'tables - helperByName accepts %j',
    (name) => {
      expect(helperByName(name)?.id).toBe(1);
    },
  );

  it('tables - helperById finds the prototype and names it for printing', () => {
    expect(helperById(12)?.name).toBe('tail_call');
    expect(helperName(1)).toBe('bpf_map_lookup_elem');
  });

  it.each([
    ['the reserved id 0', () => helperById(0)],
    ['an id past the table', () => helperById(212)],
    ['a negative id', () => helperById(-1)],
    ['a fractional id', () => helperById(1.5)],
    ['the reserved name', () => helperByName('unspec')],
    ['an unknown name', () => helperByName('bpf_no_such_helper')],
  ])('tables - helper lookup returns undefined for %s', (_title, lookup) => {
    expect(lookup()).toBeUndefined();
  });
});

describe('tables - helper prototypes match the kernel', () => {
  it.each([
    ['map_lookup_elem', 'RET_PTR_TO_MAP_VALUE_OR_NULL', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY']],
    [
      'map_update_elem',
      'RET_INTEGER',
      ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_PTR_TO_MAP_VALUE', 'ARG_ANYTHING'],
    ],
    ['map_delete_elem', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY']],
    [
      'ringbuf_reserve',
      'RET_PTR_TO_RINGBUF_MEM_OR_NULL',
      ['ARG_CONST_MAP_PTR', 'ARG_CONST_ALLOC_SIZE_OR_ZERO', 'ARG_ANYTHING'],
    ],
    ['ringbuf_submit', 'RET_VOID', ['ARG_PTR_TO_RINGBUF_MEM[OBJ_RELEASE]', 'ARG_ANYTHING']],
    ['ringbuf_discard', 'RET_VOID', ['ARG_PTR_TO_RINGBUF_MEM[OBJ_RELEASE]', 'ARG_ANYTHING']],
    [
      'ringbuf_output',
      'RET_INTEGER',
      ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MEM[MEM_RDONLY]', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'],
    ],
    ['tail_call', 'RET_VOID', ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING']],
    [
      'probe_read_kernel',
      'RET_INTEGER',
      ['ARG_PTR_TO_MEM[MEM_UNINIT,MEM_WRITE]', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'],
    ],
    ['trace_printk', 'RET_INTEGER', ['ARG_PTR_TO_MEM[MEM_RDONLY]', 'ARG_CONST_SIZE']],
    ['get_current_comm', 'RET_INTEGER', ['ARG_PTR_TO_MEM[MEM_UNINIT,MEM_WRITE]', 'ARG_CONST_SIZE']],
    [
      'perf_event_output',
      'RET_INTEGER',
      [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM[MEM_RDONLY]',
        'ARG_CONST_SIZE_OR_ZERO',
      ],
    ],
    ['redirect_map', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_ANYTHING']],
    ['xdp_adjust_head', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']],
    ['fib_lookup', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM', 'ARG_CONST_SIZE', 'ARG_ANYTHING']],
    [
      'sk_lookup_tcp',
      'RET_PTR_TO_SOCKET_OR_NULL',
      ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM[MEM_RDONLY]', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    ],
    ['sk_release', 'RET_INTEGER', ['ARG_PTR_TO_BTF_ID_SOCK_COMMON[OBJ_RELEASE]']],
    ['spin_lock', 'RET_VOID', ['ARG_PTR_TO_SPIN_LOCK']],
    [
      'loop',
      'RET_INTEGER',
      ['ARG_ANYTHING', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK[PTR_MAYBE_NULL]', 'ARG_ANYTHING'],
    ],
    [
      'for_each_map_elem',
      'RET_INTEGER',
      ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK[PTR_MAYBE_NULL]', 'ARG_ANYTHING'],
    ],
    ['timer_set_callback', 'RET_INTEGER', ['ARG_PTR_TO_TIMER', 'ARG_PTR_TO_FUNC']],
    ['get_current_task_btf', 'RET_PTR_TO_BTF_ID_TRUSTED', []],
    ['get_func_ip', 'RET_INTEGER', ['ARG_PTR_TO_CTX']],
    ['ktime_get_ns', 'RET_INTEGER', []],
  ])('tables - %s returns %s and takes its kernel arguments', (name, ret, args) => {
    expect(helperByName(name)?.ret).toBe(ret);
    expect(argsOf(name)).toEqual(args);
  });

  it('tables - fixed-size memory carries its size', () => {
    const res = helperByName('strtol')?.args[3];
    expect(res?.kind).toBe('ARG_PTR_TO_MEM');
    expect(res?.size).toBe(8);
    expect(res && argHasFlag(res, 'MEM_FIXED_SIZE')).toBe(true);
    expect(helperByName('check_mtu')?.args[2]?.size).toBe(4);
  });

  it('tables - BTF-typed arguments and results name their struct', () => {
    expect(helperByName('get_current_task_btf')?.retBtf).toBe('task_struct');
    expect(helperByName('task_pt_regs')?.retBtf).toBe('pt_regs');
    expect(helperByName('d_path')?.args[0]?.btf).toBe('path');
    expect(helperByName('skc_to_tcp_sock')?.retBtf).toBe('tcp_sock');
  });

  it('tables - the kernel spelling of each argument is kept', () => {
    expect(helperByName('get_current_comm')?.args[0]?.kernel).toBe('ARG_PTR_TO_UNINIT_MEM');
    expect(RET_KIND_INFO.RET_PTR_TO_RINGBUF_MEM_OR_NULL.kernel).toBe('RET_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RINGBUF');
  });
});

describe('tables - helper flags', () => {
  it.each(['sk_lookup_tcp', 'sk_lookup_udp', 'skc_lookup_tcp', 'ringbuf_reserve', 'kptr_xchg'])(
    'tables - %s acquires a reference',
    (name) => {
      expect(helperByName(name)?.acquiresRef).toBe(true);
    },
  );

  it.each([
    ['sk_release', 0],
    ['ringbuf_submit', 0],
    ['ringbuf_discard', 0],
    ['ringbuf_submit_dynptr', 0],
    ['kptr_xchg', 1],
  ])('tables - %s releases the reference in arg %i', (name, index) => {
    expect(helperByName(name)?.releasesArg).toBe(index);
  });

  it.each([
    ['loop', 1],
    ['for_each_map_elem', 1],
    ['timer_set_callback', 1],
    ['find_vma', 2],
    ['user_ringbuf_drain', 1],
  ])('tables - %s calls back the subprogram in arg %i', (name, index) => {
    expect(helperByName(name)?.callbackArg).toBe(index);
  });

  it('tables - only the kernel callback helpers call back', () => {
    const callers = HELPERS.filter((h) => h.callbackArg !== undefined).map((h) => h.name);
    expect(callers.sort()).toEqual(['find_vma', 'for_each_map_elem', 'loop', 'timer_set_callback', 'user_ringbuf_drain']);
  });

  it.each(['skb_store_bytes', 'l3_csum_replace', 'l4_csum_replace', 'xdp_adjust_head', 'xdp_adjust_tail', 'tail_call'])(
    'tables - %s invalidates packet pointers',
    (name) => {
      expect(helperByName(name)?.changesPktData).toBe(true);
    },
  );

  it.each([
    ['trace_printk', true],
    ['probe_read_kernel', true],
    ['perf_event_output', true],
    ['map_lookup_elem', false],
    ['redirect', false],
    ['ringbuf_output', false],
  ])('tables - %s gpl_only is %s', (name, gpl) => {
    expect(helperByName(name)?.gplOnly).toBe(gpl);
  });

  it('tables - copy_from_user may sleep, ktime_get_ns may not', () => {
    expect(helperByName('copy_from_user')?.mightSleep).toBe(true);
    expect(helperByName('ktime_get_ns')?.mightSleep).toBe(false);
  });
});

describe('tables - every helper prototype is well formed', () => {
  const callable = HELPERS.filter((h) => !h.reserved);

  it('tables - every argument and return kind is in the vocabulary', () => {
    for (const h of callable) {
      expect(RET_KIND_INFO[h.ret], h.name).toBeDefined();
      for (const a of h.args) {
        expect(ARG_KIND_DOCS[a.kind], `${h.name} ${a.kernel}`).toBeDefined();
        for (const f of a.flags) expect(ARG_FLAG_DOCS[f], `${h.name} ${a.kernel}`).toBeDefined();
      }
    }
  });

  it('tables - sized memory arguments are followed by their size, as the kernel requires', () => {
    for (const h of callable) {
      h.args.forEach((a, i) => {
        if (a.kind === 'ARG_PTR_TO_MEM' && !argHasFlag(a, 'MEM_FIXED_SIZE')) {
          expect(['ARG_CONST_SIZE', 'ARG_CONST_SIZE_OR_ZERO'], `${h.name} arg ${i + 1}`).toContain(h.args[i + 1]?.kind);
        }
      });
    }
  });

  it('tables - the C signature names the helper; a documented void return is RET_VOID or noted', () => {
    for (const h of callable) {
      expect(h.signature, h.name).toMatch(new RegExp(`[ *]bpf_${h.name}\\(`));
      expect(h.args.length).toBeLessThanOrEqual(5);
      if (/^void [^*]/.test(h.signature) && h.ret !== 'RET_VOID') expect(h.note, h.name).toMatch(/RET_INTEGER/);
    }
  });

  it('tables - helpers whose prototype could not be confirmed say why', () => {
    for (const h of HELPERS.filter((x) => !x.confirmed)) expect(h.note, h.name).toBeTruthy();
  });
});
