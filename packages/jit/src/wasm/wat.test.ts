import { describe, expect, it } from 'vitest';
import { assembleWat } from '../testing/wabt.js';
import { encodeModule } from './encode.js';
import type { Func, Instr, Module, ValType } from './ir.js';
import { printWat } from './wat.js';

const get = (index: number): Instr => ({ op: 'local.get', index });
const set = (index: number): Instr => ({ op: 'local.set', index });
const i32 = (value: number): Instr => ({ op: 'i32.const', value });
const i64 = (value: bigint): Instr => ({ op: 'i64.const', value });
const op = (name: 'drop' | 'i64.add' | 'i64.eqz' | 'i32.wrap_i64' | 'i64.gt_u' | 'nop'): Instr => ({ op: name });

const golden: Module = {
  types: [
    { params: ['i64', 'i64', 'i64', 'i64', 'i64'], results: ['i64'] },
    { params: ['i64'], results: ['i64'] },
  ],
  imports: [
    { kind: 'memory', module: 'env', name: 'memory', min: 1, max: 16, shared: true },
    { kind: 'func', module: 'env', name: 'helper', type: 0, id: 'helper' },
    { kind: 'table', module: 'env', name: 'programs', min: 4 },
  ],
  funcs: [
    {
      type: 1,
      name: 'prog',
      paramNames: ['r1'],
      locals: [{ type: 'i64', name: 'r0' }, { type: 'i64', name: 'r6' }, { type: 'i32' }, { type: 'i32' }],
      body: [
        {
          op: 'block',
          label: 'exit',
          body: [
            {
              op: 'loop',
              label: 'top',
              body: [
                get(0),
                op('i64.eqz'),
                { op: 'br_if', depth: 1 },
                get(0),
                op('i32.wrap_i64'),
                { op: 'i64.load8_s', offset: 16, align: 0 },
                set(2),
                i32(8),
                get(2),
                { op: 'i64.atomic.rmw.add', offset: 0, align: 3 },
                op('drop'),
                i32(0),
                { op: 'i64.load', offset: 0, align: 2 },
                op('drop'),
                get(0),
                i64(-1n),
                op('i64.add'),
                set(0),
                { op: 'br', depth: 0 },
              ],
            },
          ],
        },
        get(0),
        i64(0xffff_ffff_ffff_fffen),
        op('i64.gt_u'),
        { op: 'if', result: 'i64', then: [get(1)], else: [get(0), get(0), get(0), get(0), get(0), { op: 'call', func: 0 }] },
        set(1),
        {
          op: 'block',
          label: 'sw',
          body: [{ op: 'block', body: [get(3), { op: 'br_table', depths: [0, 1], default: 0 }] }],
        },
        { op: 'global.get', index: 0 },
        op('drop'),
        get(1),
        i32(0),
        { op: 'call_indirect', type: 1, table: 0 },
        { op: 'return_call', func: 1 },
      ],
    },
  ],
  tables: [{ min: 2, max: 2 }],
  globals: [{ type: 'i64', mutable: true, init: 0n, name: 'counter' }],
  exports: [
    { name: 'prog', kind: 'func', index: 1 },
    { name: 'counter', kind: 'global', index: 0 },
  ],
  elements: [{ offset: 0, funcs: [1] }],
};

const GOLDEN_WAT = `(module
  (type (;0;) (func (param i64 i64 i64 i64 i64) (result i64)))
  (type (;1;) (func (param i64) (result i64)))
  (import "env" "memory" (memory 1 16 shared))
  (import "env" "helper" (func $helper (type 0)))
  (import "env" "programs" (table 4 funcref))
  (table 2 2 funcref)
  (global $counter (mut i64) (i64.const 0))
  (export "prog" (func $prog))
  (export "counter" (global $counter))
  (elem (i32.const 0) func $prog)
  (func $prog (type 1) (param $r1 i64) (result i64)
    (local $r0 i64) (local $r6 i64) (local i32 i32)
    block $exit
      loop $top
        local.get $r1
        i64.eqz
        br_if 1 ;; -> $exit
        local.get $r1
        i32.wrap_i64
        i64.load8_s offset=16
        local.set $r6
        i32.const 8
        local.get $r6
        i64.atomic.rmw.add
        drop
        i32.const 0
        i64.load align=4
        drop
        local.get $r1
        i64.const -1
        i64.add
        local.set $r1
        br 0 ;; -> $top
      end
    end
    local.get $r1
    i64.const -2
    i64.gt_u
    if (result i64)
      local.get $r0
    else
      local.get $r1
      local.get $r1
      local.get $r1
      local.get $r1
      local.get $r1
      call $helper
    end
    local.set $r0
    block $sw
      block
        local.get 3
        br_table 0 1 0 ;; -> 0 $sw 0
      end
    end
    global.get $counter
    drop
    local.get $r0
    i32.const 0
    call_indirect (type 1)
    return_call $prog
  )
)
`;

/** A module with one function of the given signature and body. */
function withBody(
  body: readonly Instr[],
  params: readonly ValType[] = [],
  func: Partial<Func> = {},
): Module {
  return {
    types: [{ params, results: [] }],
    imports: [],
    funcs: [{ type: 0, locals: [], body, ...func }],
    exports: [],
  };
}

/** The printed body of withBody(...): the lines after the function header and locals. */
function bodyLines(body: readonly Instr[], params: readonly ValType[] = []): string[] {
  const lines = printWat(withBody(body, params)).split('\n');
  const start = lines.findIndex((l) => l.startsWith('  (func'));
  return lines.slice(start + 1, lines.lastIndexOf('  )'));
}

describe('printWat', () => {
  it('prints a small module as expected (golden)', () => {
    expect(printWat(golden)).toBe(GOLDEN_WAT);
  });

  it('is deterministic', () => {
    expect(printWat(structuredClone(golden))).toBe(printWat(golden));
  });

  it('prints an empty module', () => {
    expect(printWat({ types: [], imports: [], funcs: [], exports: [] })).toBe('(module\n)\n');
  });

  const instructions: [string, Instr[], string[]][] = [
    ['a natural alignment is left out', [{ op: 'i64.load', offset: 0, align: 3 }], ['i64.load']],
    ['offsets', [{ op: 'i64.store32', offset: 4096, align: 2 }], ['i64.store32 offset=4096']],
    ['alignment in bytes', [{ op: 'i64.load16_u', offset: 2, align: 0 }], ['i64.load16_u offset=2 align=1']],
    ['atomics', [{ op: 'i64.atomic.rmw32.cmpxchg_u', offset: 0, align: 2 }], ['i64.atomic.rmw32.cmpxchg_u']],
    ['i32.const as signed', [i32(0xffff_ffff), i32(-5)], ['i32.const -1', 'i32.const -5']],
    [
      'i64.const as signed',
      [i64(2n ** 63n), i64(2n ** 63n - 1n), i64(-(2n ** 63n))],
      ['i64.const -9223372036854775808', 'i64.const 9223372036854775807', 'i64.const -9223372036854775808'],
    ],
    [
      'branches to unlabelled blocks or out of the function have no comment',
      [{ op: 'block', body: [{ op: 'br', depth: 0 }, { op: 'br', depth: 1 }] }],
      ['block', '  br 0', '  br 1', 'end'],
    ],
    [
      'an inner label shadows an outer one of the same name',
      [{ op: 'block', label: 'l', body: [{ op: 'loop', label: 'l', body: [{ op: 'br', depth: 1 }, { op: 'br', depth: 0 }] }] }],
      ['block $l', '  loop $l', '    br 1 ;; -> $l', '    br 0 ;; -> $l', '  end', 'end'],
    ],
    [
      'if without else, and with an empty else',
      [i32(1), { op: 'if', then: [op('nop')] }, i32(0), { op: 'if', label: 'e', then: [], else: [] }],
      ['i32.const 1', 'if', '  nop', 'end', 'i32.const 0', 'if $e', 'else', 'end'],
    ],
    [
      'nested if/else inside a loop with results',
      [
        {
          op: 'loop',
          result: 'i64',
          body: [i32(1), { op: 'if', result: 'i64', then: [i64(1n)], else: [i32(0), { op: 'br_if', depth: 1 }, i64(2n)] }],
        },
        op('drop'),
      ],
      [
        'loop (result i64)',
        '  i32.const 1',
        '  if (result i64)',
        '    i64.const 1',
        '  else',
        '    i32.const 0',
        '    br_if 1',
        '    i64.const 2',
        '  end',
        'end',
        'drop',
      ],
    ],
    ['call_indirect on another table', [{ op: 'call_indirect', type: 0, table: 1 }], ['call_indirect 1 (type 0)']],
    ['unnamed locals and functions by index', [get(0), { op: 'call', func: 0 }], ['local.get 0', 'call 0']],
  ];
  it.each(instructions)('%s', (_title, body, expected) => {
    expect(bodyLines(body, ['i64'])).toEqual(expected.map((line) => `    ${line}`));
  });

  it('groups consecutive unnamed parameters and locals', () => {
    const text = printWat(
      withBody([], ['i64', 'i64', 'i32'], {
        paramNames: ['a'],
        locals: [{ type: 'i32' }, { type: 'i64' }, { type: 'i64', name: 'x' }, { type: 'i32' }],
      }),
    );
    expect(text).toContain('  (func (;0;) (type 0) (param $a i64) (param i64 i32)\n    (local i32 i64) (local $x i64) (local i32)\n');
  });

  it('escapes import and export names', () => {
    const module: Module = {
      types: [],
      imports: [{ kind: 'memory', module: 'a"b\\c', name: 'caf\u00e9\n', min: 0 }],
      funcs: [],
      exports: [{ name: 'mem', kind: 'memory', index: 0 }],
    };
    expect(printWat(module)).toBe(
      '(module\n  (import "a\\22b\\5cc" "caf\\c3\\a9\\0a" (memory 0))\n  (export "mem" (memory 0))\n)\n',
    );
  });

  const invalid: [string, Module][] = [
    ['a function name with a space', withBody([], [], { name: 'a b' })],
    ['an empty local name', withBody([], ['i64'], { paramNames: [''] })],
    ['a label with a parenthesis', withBody([{ op: 'block', label: 'a(', body: [] }])],
    ['two locals of one name', withBody([], ['i64'], { paramNames: ['r1'], locals: [{ type: 'i64', name: 'r1' }] })],
    [
      'two functions of one name',
      {
        types: [{ params: [], results: [] }],
        imports: [{ kind: 'func', module: 'env', name: 'f', type: 0, id: 'f' }],
        funcs: [{ type: 0, name: 'f', locals: [], body: [] }],
        exports: [],
      },
    ],
  ];
  it.each(invalid)('refuses %s', (_title, module) => {
    expect(() => printWat(module)).toThrow(/identifier/);
  });

  it('prints thousands of nested blocks', () => {
    let body: Instr[] = [op('nop')];
    for (let i = 0; i < 2_000; i++) body = [{ op: 'block', body }];
    const lines = bodyLines(body);
    expect(lines.length).toBe(4_001);
    expect(lines[2_000]).toBe(`${' '.repeat(4 + 2 * 2_000)}nop`);
    expect(lines[4_000]).toBe('    end');
  });
});

describe('printWat with wabt', () => {
  it('the golden text is valid and assembles to encodeModule bytes', async () => {
    expect(Array.from(await assembleWat('golden.wat', GOLDEN_WAT))).toEqual(Array.from(encodeModule(golden)));
  });
});
