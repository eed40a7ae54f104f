/**
 * `format c` against the compiler: the dump of hand-made BTF matches libbpf's text, and the
 * dump of every clang-built fixture, with a static assertion per struct size and member
 * offset, compiles with clang for the BPF target.
 *
 * Needs clang on PATH (CI installs it); fails, does not skip, without it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dumpBtfC } from './dump-c.js';
import { parseBtf } from './parse.js';
import type { Btf, BtfMember, BtfType } from './types.js';

const m = (name: string, type: number, bitOffset: number, bitfieldSize = 0): BtfMember => ({ name, type, bitOffset, bitfieldSize });

/** Every construct the C writer has a rule for. */
const HANDMADE: Btf = {
  types: [
    { kind: 'VOID', name: '' },
    /* 1 */ { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 },
    /* 2 */ { kind: 'INT', name: 'char', size: 1, encoding: 1, bitsOffset: 0, bits: 8 },
    /* 3 */ { kind: 'INT', name: 'long', size: 8, encoding: 1, bitsOffset: 0, bits: 64 },
    /* 4 */ { kind: 'TYPEDEF', name: 'u32', type: 5 },
    /* 5 */ { kind: 'INT', name: 'unsigned int', size: 4, encoding: 0, bitsOffset: 0, bits: 32 },
    /* 6 */ { kind: 'CONST', name: '', type: 2 },
    /* 7 */ { kind: 'PTR', name: '', type: 6 },
    /* 8 */ { kind: 'FUNC_PROTO', name: '', returnType: 1, params: [{ name: '', type: 9 }, { name: 'n', type: 3 }] },
    /* 9 */ { kind: 'PTR', name: '', type: 0 },
    /* 10 */ { kind: 'PTR', name: '', type: 8 },
    /* 11 */ { kind: 'STRUCT', name: 'node', size: 16, kflag: false, members: [m('next', 12, 0), m('other', 13, 64)] },
    /* 12 */ { kind: 'PTR', name: '', type: 11 },
    /* 13 */ { kind: 'PTR', name: '', type: 14 },
    /* 14 */ { kind: 'STRUCT', name: 'holder', size: 24, kflag: false, members: [m('n', 11, 0), m('tag', 2, 128)] },
    /* 15 */ {
      kind: 'STRUCT',
      name: 'everything',
      size: 64,
      kflag: true,
      members: [
        m('flags', 5, 0, 3),
        m('mode', 5, 3, 5),
        m('id', 4, 32),
        m('name', 7, 64),
        m('cb', 10, 128),
        m('', 16, 192),
        m('kind', 17, 256),
        m('grid', 18, 288),
        m('late', 3, 448),
      ],
    },
    /* 16 */ { kind: 'UNION', name: '', size: 8, kflag: false, members: [m('as_long', 3, 0), m('as_int', 1, 0)] },
    /* 17 */ { kind: 'ENUM', name: '', size: 4, signed: false, values: [{ name: 'K_A', value: 0 }, { name: 'K_B', value: 1 }] },
    /* 18 */ { kind: 'ARRAY', name: '', type: 19, indexType: 1, nelems: 2 },
    /* 19 */ { kind: 'ARRAY', name: '', type: 2, indexType: 1, nelems: 2 },
    /* 20 */ { kind: 'STRUCT', name: 'tight', size: 5, kflag: false, members: [m('c', 2, 0), m('i', 1, 8)] },
    /* 21 */ { kind: 'ENUM', name: 'small', size: 1, signed: false, values: [{ name: 'S_ONE', value: 1 }] },
    /* 22 */ { kind: 'STRUCT', name: 'dup', size: 4, kflag: false, members: [m('a', 1, 0)] },
    /* 23 */ { kind: 'STRUCT', name: 'dup', size: 8, kflag: false, members: [m('b', 3, 0)] },
    /* 24 */ { kind: 'FWD', name: 'opaque', union: false },
    /* 25 */ { kind: 'ENUM64', name: 'wide', size: 8, signed: false, values: [{ name: 'W_BIG', value: 1n << 40n }] },
    /* 26 */ { kind: 'VOLATILE', name: '', type: 27 },
    /* 27 */ { kind: 'PTR', name: '', type: 1 },
    /* 28 */ { kind: 'STRUCT', name: 'quals', size: 16, kflag: false, members: [m('p', 26, 0), m('arr', 29, 64)] },
    /* 29 */ { kind: 'ARRAY', name: '', type: 27, indexType: 1, nelems: 1 },
  ] satisfies BtfType[],
};

const EXPECTED = `typedef unsigned int u32;

struct holder;

struct node {
	struct node *next;
	struct holder *other;
};

struct holder {
	struct node n;
	char tag;
};

struct everything {
	unsigned int flags: 3;
	unsigned int mode: 5;
	u32 id;
	const char *name;
	int (*cb)(void *, long n);
	union {
		long as_long;
		int as_int;
	};
	enum {
		K_A = 0,
		K_B = 1,
	} kind;
	char grid[2][2];
	long: 64;
	long: 64;
	long late;
};

struct tight {
	char c;
	int i;
} __attribute__((packed));

enum small {
	S_ONE = 1,
} __attribute__((mode(byte)));

struct dup {
	int a;
};

struct dup___2 {
	long b;
};

struct opaque;

enum wide {
	W_BIG = 1099511627776ULL,
};

struct quals {
	int * volatile p;
	int *arr[1];
};

`;

/** `_Static_assert`s for the size and member offsets of every uniquely named struct or union. */
function layoutAsserts(btf: Btf): string {
  const counts = new Map<string, number>();
  for (const t of btf.types) if (t.kind === 'STRUCT' || t.kind === 'UNION') counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const lines: string[] = [];
  for (const t of btf.types) {
    if ((t.kind !== 'STRUCT' && t.kind !== 'UNION') || t.name === '' || counts.get(t.name) !== 1) continue;
    const c = `${t.kind.toLowerCase()} ${t.name}`;
    lines.push(`_Static_assert(sizeof(${c}) == ${t.size}, "sizeof ${t.name}");`);
    for (const mem of t.members) {
      if (mem.name === '' || mem.bitfieldSize !== 0) continue;
      lines.push(`_Static_assert(__builtin_offsetof(${c}, ${mem.name}) == ${mem.bitOffset / 8}, "${t.name}.${mem.name}");`);
    }
  }
  return lines.join('\n');
}

/** Compiles C for the BPF target; the compiler's errors when it does not compile. */
function compile(source: string): string {
  const run = spawnSync('clang', ['-target', 'bpf', '-fsyntax-only', '-Wno-everything', '-x', 'c', '-'], { input: source, encoding: 'utf8' });
  if (run.error) throw new Error(`clang is needed for this test: ${run.error.message}`);
  return run.status === 0 ? '' : run.stderr;
}

const fixture = (name: string): Btf => parseBtf(new Uint8Array(readFileSync(new URL(`./testdata/${name}`, import.meta.url))));

describe('BTF dump - format c', () => {
  it('writes libbpf-style C for every construct', () => {
    expect(dumpBtfC(HANDMADE)).toBe(EXPECTED);
  });

  it.each([
    ['hand-made', HANDMADE],
    ['xdp_parser', fixture('xdp_parser.btf')],
    ['tracing', fixture('tracing.btf')],
    ['map_in_map', fixture('map_in_map.btf')],
  ])('%s: the dump compiles and has the layout BTF describes', (_name, btf) => {
    const source = `${dumpBtfC(btf, { header: true })}\n${layoutAsserts(btf)}\n`;
    expect(compile(source)).toBe('');
  });

  it('a wrong layout does not compile, so the check above can fail', () => {
    const wrong: Btf = { types: HANDMADE.types.map((t) => (t.kind === 'STRUCT' && t.name === 'node' ? { ...t, size: 24 } : t)) };
    expect(compile(`${dumpBtfC(HANDMADE)}\n${layoutAsserts(wrong)}\n`)).toMatch(/sizeof node/);
  });
});
