import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dumpBtfRaw } from './dump.js';
import { parseBtf } from './parse.js';
import type { Btf } from './types.js';

const tracing = parseBtf(new Uint8Array(readFileSync(new URL('./testdata/tracing.btf', import.meta.url))));

describe('BTF dump - bpftool btf dump format raw', () => {
  it('prints clang BTF as bpftool does', () => {
    const lines = dumpBtfRaw(tracing).split('\n');
    expect(lines.slice(0, 8)).toEqual([
      "[1] PTR '(anon)' type_id=3",
      "[2] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED",
      "[3] ARRAY '(anon)' type_id=2 index_type_id=4 nr_elems=27",
      "[4] INT '__ARRAY_SIZE_TYPE__' size=4 bits_offset=0 nr_bits=32 encoding=(none)",
      "[5] PTR '(anon)' type_id=6",
      "[6] ARRAY '(anon)' type_id=2 index_type_id=4 nr_elems=262144",
      "[7] STRUCT '(anon)' size=16 vlen=2",
      "\t'type' type_id=1 bits_offset=0",
    ]);
    expect(dumpBtfRaw(tracing, [45, 59, 62, 63, 68, 70, 83])).toBe(
      [
        "[45] FUNC 'bpf_rcu_read_lock' type_id=44 linkage=extern",
        "[59] ENUM 'task_state' encoding=UNSIGNED size=4 vlen=3",
        "\t'TASK_RUNNING' val=0",
        "\t'TASK_INTERRUPTIBLE' val=1",
        "\t'TASK_UNINTERRUPTIBLE' val=2",
        "[62] FUNC_PROTO '(anon)' ret_type_id=2 vlen=2",
        "\t'index' type_id=12",
        "\t'ctx' type_id=60",
        "[63] FUNC 'sum_step' type_id=62 linkage=static",
        "[68] VAR 'target_tgid' type_id=66, linkage=global",
        "[70] INT '_Bool' size=1 bits_offset=0 nr_bits=8 encoding=BOOL",
        "[83] DATASEC '.ksyms' size=0 vlen=3",
        "\ttype_id=45 offset=0 size=0 (FUNC 'bpf_rcu_read_lock')",
        "\ttype_id=47 offset=0 size=0 (FUNC 'bpf_rcu_read_unlock')",
        "\ttype_id=75 offset=0 size=4 (VAR 'bpf_prog_active')",
        '',
      ].join('\n'),
    );
  });

  it('prints the kinds clang 14 does not emit, and bitfields', () => {
    const btf: Btf = {
      types: [
        { kind: 'VOID', name: '' },
        { kind: 'INT', name: 'unsigned int', size: 4, encoding: 0, bitsOffset: 0, bits: 32 },
        { kind: 'STRUCT', name: 'bits', size: 4, kflag: true, members: [{ name: 'lo', type: 1, bitOffset: 0, bitfieldSize: 3 }, { name: 'hi', type: 1, bitOffset: 3, bitfieldSize: 29 }] },
        { kind: 'ENUM64', name: 'e64', size: 8, signed: false, values: [{ name: 'HUGE', value: 0xffffffffffn }] },
        { kind: 'ENUM64', name: 's64', size: 8, signed: true, values: [{ name: 'NEG', value: -5n }] },
        { kind: 'ENUM', name: 'sgn', size: 4, signed: true, values: [{ name: 'M', value: -1 }] },
        { kind: 'FWD', name: 'u', union: true },
        { kind: 'FLOAT', name: 'double', size: 8 },
        { kind: 'TYPE_TAG', name: 'user', type: 1 },
        { kind: 'DECL_TAG', name: 'tag', type: 2, componentIdx: -1 },
        { kind: 'FUNC', name: 'ext', type: 11, linkage: 2 },
        { kind: 'FUNC_PROTO', name: '', returnType: 0, params: [] },
        { kind: 'VAR', name: 'x', type: 1, linkage: 2 },
      ],
    };
    expect(dumpBtfRaw(btf)).toBe(
      [
        "[1] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)",
        "[2] STRUCT 'bits' size=4 vlen=2",
        "\t'lo' type_id=1 bits_offset=0 bitfield_size=3",
        "\t'hi' type_id=1 bits_offset=3 bitfield_size=29",
        "[3] ENUM64 'e64' encoding=UNSIGNED size=8 vlen=1",
        "\t'HUGE' val=1099511627775ULL",
        "[4] ENUM64 's64' encoding=SIGNED size=8 vlen=1",
        "\t'NEG' val=-5LL",
        "[5] ENUM 'sgn' encoding=SIGNED size=4 vlen=1",
        "\t'M' val=-1",
        "[6] FWD 'u' fwd_kind=union",
        "[7] FLOAT 'double' size=8",
        "[8] TYPE_TAG 'user' type_id=1",
        "[9] DECL_TAG 'tag' type_id=2 component_idx=-1",
        "[10] FUNC 'ext' type_id=11 linkage=extern",
        "[11] FUNC_PROTO '(anon)' ret_type_id=0 vlen=0",
        "[12] VAR 'x' type_id=1, linkage=extern",
        '',
      ].join('\n'),
    );
  });
});
