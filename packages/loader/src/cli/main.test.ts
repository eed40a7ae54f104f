import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './main.js';
import { memoryIo } from './test-io.js';

const PROGRAM = 'r0 = 1\nif r1 > r2 goto +1\nr0 = 0x1122334455667788 ll\nexit\n';

describe('bpfhive cli', () => {
  it('help lists every command and exits 0', async () => {
    const io = memoryIo();
    expect(await runCli(['help'], io)).toBe(0);
    expect(io.out()).toMatch(/asm\s+assemble/);
    expect(io.out()).toMatch(/disasm/);
    expect(io.out()).toMatch(/conformance-plugin/);
  });

  it('an unknown command is an error that shows the usage', async () => {
    const io = memoryIo();
    expect(await runCli(['frobnicate'], io)).toBe(1);
    expect(io.err()).toMatch(/^Error: unknown command 'frobnicate'/);
  });

  it('asm writes hex slots; disasm reads them back as LLVM syntax', async () => {
    const asm = memoryIo(PROGRAM);
    expect(await runCli(['asm', '-'], asm)).toBe(0);
    expect(asm.out().trim().split('\n')).toEqual([
      'b700000001000000',
      '2d21010000000000',
      '1800000088776655',
      '0000000044332211',
      '9500000000000000',
    ]);
    const disasm = memoryIo(asm.out());
    expect(await runCli(['disasm', '-'], disasm)).toBe(0);
    expect(disasm.out()).toBe(
      ['0: r0 = 1', '1: if r1 > r2 goto +1', '2: r0 = 1234605616436508552 ll', '4: exit', ''].join('\n'),
    );
  });

  it('asm --output writes raw bytes that disasm recognises as raw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfhive-cli-'));
    writeFileSync(join(dir, 'p.s'), PROGRAM);
    expect(await runCli(['asm', join(dir, 'p.s'), '-o', join(dir, 'p.bin')], memoryIo())).toBe(0);
    expect(readFileSync(join(dir, 'p.bin'))).toHaveLength(40);
    const io = memoryIo();
    expect(await runCli(['disasm', join(dir, 'p.bin'), '--opcodes'], io)).toBe(0);
    expect(io.out().split('\n')[0]).toBe('       0:\tb7 00 00 00 01 00 00 00\tr0 = 1');
  });

  it.each([
    [['asm', '-'], 'r0 = 1\nr0 +=\n', /^Error: assemble: line 2: /],
    [['disasm', '-'], '9500000001000000', /^Error: decode: instruction 0: BPF_JMP\|BPF_EXIT\|BPF_K \(0x95\): reserved field imm/],
    [['disasm', '/nonexistent/prog.bin'], '', /^Error: cannot open \/nonexistent\/prog.bin: no such file/],
    [['asm', '-', '--format', 'octal'], 'exit', /^Error: --format must be hex or raw/],
    [['asm', '-', '--bogus'], 'exit', /^Error: Unknown option '--bogus'/],
  ])('%j fails with a clear message and exit 1', async (argv, stdin, message) => {
    const io = memoryIo(stdin);
    expect(await runCli(argv, io)).toBe(1);
    expect(io.err()).toMatch(message);
  });
});

describe('bpfhive conformance-plugin (in-process)', () => {
  it.each([
    [['conformance-plugin', '00 00 00 07'], '4'],
    [['conformance-plugin', '00  00  00  07  ', '--engine interp'], '4'],
    [['conformance-plugin', '', ''], '0'],
    [['conformance-plugin', '--engine', 'interp'], '0'],
  ])('%j reads memory first and options after it', async (argv, r0) => {
    // r0 = r2, the memory length
    const io = memoryIo('bf 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00');
    expect(await runCli(argv, io)).toBe(0);
    expect(io.out()).toBe(`${r0}\n`);
  });

  it('rejects a second positional argument', async () => {
    const io = memoryIo('95 00 00 00 00 00 00 00');
    expect(await runCli(['conformance-plugin', '00', 'extra'], io)).toBe(1);
    expect(io.err()).toMatch(/unexpected 'extra'/);
  });
});
