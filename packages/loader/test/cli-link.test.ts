/** bpftool link's plain and JSON layouts for the kernel-sim's link infos (no services needed). */
import { describe, expect, it } from 'vitest';
import { attachTypeName } from '../src/cli/commands/link-context.js';
import { linkJson, linkPlain } from '../src/cli/format/link-info.js';
import { JsonWriter } from '../src/cli/format/json-writer.js';
import type { LinkInfoReply } from '@bpfhive/uapi';

const ctx = { devices: new Map([[2, 'eth0']]), attachType: attachTypeName, progTypes: new Map([[9, 'tracing']]) };
const base = { attach_type: 0, detached: false } as const;

function json(info: LinkInfoReply): string {
  let text = '';
  linkJson(new JsonWriter((t) => (text += t)), info, ctx);
  return text;
}

describe('link show', () => {
  it('xdp: the device by name and ifindex; detached: (detached)', () => {
    const xdp = { ...base, id: 4, type: 6, type_name: 'xdp', prog_id: 27, attach_type: 37, xdp: { ifindex: 2, mode: 'drv' } } as const;
    expect(linkPlain(xdp, ctx)).toBe('4: xdp  prog 27  \n\tifindex eth0(2)  \n');
    expect(json(xdp)).toBe('{"id":4,"type":"xdp","prog_id":27,"devname":"eth0","ifindex":2,"mode":"drv"}');
    expect(linkPlain({ ...xdp, detached: true, xdp: { ifindex: 0 } }, ctx)).toBe('4: xdp  prog 27  \n\tifindex (detached)  \n\tdetached  \n');
  });

  it('tcx, raw tracepoints, tracepoints, kprobes and tracing links', () => {
    expect(linkPlain({ ...base, id: 5, type: 11, type_name: 'tcx', prog_id: 3, attach_type: 46, tcx: { ifindex: 2, attach_type: 46 } }, ctx)).toBe('5: tcx  prog 3  \n\tifindex eth0(2)  attach_type tcx_ingress  \n');
    expect(linkPlain({ ...base, id: 6, type: 1, type_name: 'raw_tracepoint', prog_id: 4, raw_tracepoint: { tp_name: 'sys_enter' } }, ctx)).toBe("6: raw_tracepoint  prog 4  \n\ttp 'sys_enter'  \n");
    const tp = { ...base, id: 7, type: 7, type_name: 'perf_event', prog_id: 5, perf_event: { type: 5, tracepoint: { tp_name: 'sys_enter_openat' } } };
    expect(linkPlain(tp, ctx)).toBe('7: perf_event  prog 5  \n\ttracepoint sys_enter_openat  \n');
    expect(json(tp)).toBe('{"id":7,"type":"perf_event","prog_id":5,"event_type":"tracepoint","tracepoint":"sys_enter_openat","cookie":0}');
    const kretprobe = { ...base, id: 8, type: 7, type_name: 'perf_event', prog_id: 6, perf_event: { type: 4, kprobe: { func_name: 'tcp_v4_connect', addr: '0xffffffff81000000' } } };
    expect(linkPlain(kretprobe, ctx)).toBe('8: perf_event  prog 6  \n\tkretprobe ffffffff81000000 tcp_v4_connect  \n');
    const fentry = { ...base, id: 9, type: 2, type_name: 'tracing', prog_id: 9, tracing: { attach_type: 24, target_obj_id: 1, target_btf_id: 100 } };
    expect(linkPlain(fentry, ctx)).toBe('9: tracing  prog 9  \n\tprog_type tracing  attach_type trace_fentry  \n\ttarget_obj_id 1  target_btf_id 100  \n');
  });
});
