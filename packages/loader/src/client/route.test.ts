import { describe, expect, it } from 'vitest';
import { BpfSyscallError } from './errors.js';
import { routeBpf } from './route.js';

const key = Uint8Array.from([1, 0, 0, 0]);

describe('routeBpf sends each command to its subject (DESIGN.md §2)', () => {
  it.each([
    ['MAP_CREATE', { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 16 }, 'bpf.v1.map_create', { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 16 }],
    [1, { map_id: 3, key }, 'bpf.v1.map.3.lookup_elem', { key: 'AQAAAA==' }],
    ['map_update_elem', { map_id: 3, key, value: key, flags: 1 }, 'bpf.v1.map.3.update_elem', { key: 'AQAAAA==', value: 'AQAAAA==', flags: 1 }],
    ['BPF_MAP_DELETE_ELEM', { map_id: 3, key }, 'bpf.v1.map.3.delete_elem', { key: 'AQAAAA==' }],
    ['MAP_GET_NEXT_KEY', { map_id: 3 }, 'bpf.v1.map.3.get_next_key', {}],
    ['MAP_LOOKUP_AND_DELETE_ELEM', { map_id: 3, key: '' }, 'bpf.v1.map.3.lookup_and_delete_elem', { key: '' }],
    ['MAP_LOOKUP_BATCH', { map_id: 3, count: 10 }, 'bpf.v1.map.3.lookup_batch', { count: 10 }],
    ['MAP_UPDATE_BATCH', { map_id: 3, keys: [key], values: [key] }, 'bpf.v1.map.3.update_batch', { keys: ['AQAAAA=='], values: ['AQAAAA=='] }],
    ['MAP_DELETE_BATCH', { map_id: 3, keys: [key] }, 'bpf.v1.map.3.delete_batch', { keys: ['AQAAAA=='] }],
    ['MAP_FREEZE', { map_id: 3 }, 'bpf.v1.map.3.freeze', {}],
    ['OBJ_PIN', { pathname: '/sys/fs/bpf/m', map_id: 3 }, 'bpf.v1.obj_pin', { pathname: '/sys/fs/bpf/m', map_id: 3 }],
    ['OBJ_GET', { pathname: '/sys/fs/bpf/m' }, 'bpf.v1.obj_get', { pathname: '/sys/fs/bpf/m' }],
    ['MAP_GET_NEXT_ID', { start_id: 0 }, 'bpf.v1.map_get_next_id', { start_id: 0 }],
    ['PROG_GET_NEXT_ID', { start_id: 4 }, 'bpf.v1.prog_get_next_id', { start_id: 4 }],
    ['LINK_GET_NEXT_ID', { start_id: 0 }, 'bpf.v1.link_get_next_id', { start_id: 0 }],
    ['BTF_GET_NEXT_ID', { start_id: 0 }, 'bpf.v1.btf_get_next_id', { start_id: 0 }],
    ['OBJ_GET_INFO_BY_FD', { map_id: 3 }, 'bpf.v1.map.3.info', {}],
    ['OBJ_GET_INFO_BY_FD', { prog_id: 4 }, 'bpf.v1.prog.4.info', {}],
    ['OBJ_GET_INFO_BY_FD', { link_id: 5 }, 'bpf.v1.link.5.info', {}],
    ['OBJ_GET_INFO_BY_FD', { btf_id: 6 }, 'bpf.v1.btf.6.info', {}],
    ['PROG_LOAD', { prog_type: 'xdp', insns: Uint8Array.of(0x95, 0, 0, 0, 0, 0, 0, 0), license: 'GPL' }, 'bpf.v1.prog_load', { prog_type: 'xdp', insns: 'lQAAAAAAAAA=', license: 'GPL' }],
    ['PROG_RUN', { prog_id: 4, data_in: '' }, 'bpf.v1.prog.4.test_run', { data_in: '' }],
    ['LINK_CREATE', { prog_id: 4, target_ifindex: 1, attach_type: 'xdp' }, 'bpf.v1.link_create', { prog_id: 4, target_ifindex: 1, attach_type: 'xdp' }],
    ['LINK_UPDATE', { link_id: 5, new_prog_id: 6 }, 'bpf.v1.link.5.update', { new_prog_id: 6 }],
    ['LINK_DETACH', { link_id: 5 }, 'bpf.v1.link.5.detach', {}],
    ['BTF_LOAD', { btf: '' }, 'bpf.v1.btf_load', { btf: '' }],
  ])('%s %j → %s', (cmd, attr, subject, body) => {
    expect(routeBpf(cmd, attr)).toMatchObject({ subject, body });
  });

  it.each([
    ['MAP_NOTHING', {}, /^bpf: unknown command "MAP_NOTHING"/],
    ['MAP_LOOKUP_ELEM', { key }, /^bpf\(MAP_LOOKUP_ELEM\): map_id must be a u32 naming the object, got undefined/],
    ['MAP_LOOKUP_ELEM', { map_id: -1, key }, /map_id must be a u32/],
    ['MAP_LOOKUP_ELEM', { map_id: 1, key: 42 }, /^bpf\(MAP_LOOKUP_ELEM\): bpf.v1.map.key.request: \/key must be string/],
    ['MAP_UPDATE_ELEM', { map_id: 1, key, value: key, flags: 1, bogus: 1 }, /must NOT have additional properties \('bogus'\)/],
    ['MAP_CREATE', { map_type: 'hash', key_size: 4, value_size: 8 }, /max_entries/],
    ['MAP_CREATE', { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 1, map_name: 'sixteen_chars_xx' }, /map_name must NOT have more than 15 characters/],
    ['OBJ_GET_INFO_BY_FD', { map_id: 1, prog_id: 2 }, /give exactly one of map_id, prog_id, link_id, btf_id/],
    ['PROG_ATTACH', {}, /^bpf\(PROG_ATTACH\): no service serves it over NATS/],
    ['MAP_GET_FD_BY_ID', { map_id: 1 }, /ids are the handles over NATS/],
  ])('%s %j is a client-side EINVAL', (cmd, attr, message) => {
    let error: unknown;
    try {
      routeBpf(cmd, attr);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BpfSyscallError);
    expect(error).toMatchObject({ code: 'EINVAL', errno: 22 });
    expect((error as Error).message).toMatch(message);
  });
});
