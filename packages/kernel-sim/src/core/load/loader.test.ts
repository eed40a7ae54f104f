import { BpfError, HelperId, asm, encode } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { ACCEPT, FakeVerifier, kernelHarness, u32s } from '../../testing/harness.js';
import { InProcessCompiler } from '../compile/in-process.js';
import type { CompileInput } from '../compile/types.js';
import { ProgramRejectedError } from './rejection.js';

/** Rejects with the BpfError `load` throws, for matching its code and message. */
async function loadError(load: Promise<unknown>): Promise<BpfError> {
  try {
    await load;
  } catch (e) {
    if (e instanceof BpfError) return e;
    throw e;
  }
  throw new Error('the load succeeded');
}

class SpyCompiler extends InProcessCompiler {
  readonly inputs: CompileInput[] = [];
  override compile(input: CompileInput) {
    this.inputs.push(input);
    return super.compile(input);
  }
}

const HASH = { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 16 } as const;

describe('prog_load - accepted programs', () => {
  it('prog_load - ids start at 1 and count up; info reports what Linux reports', async () => {
    const h = kernelHarness();
    const first = await h.load('r0 = 0\nexit', { prog_name: 'first' });
    const second = await h.load('r0 = 1\nexit');
    expect([first.program.id, second.program.id]).toEqual([1, 2]);
    expect(h.kernel.info(1)).toMatchObject({
      id: 1,
      type: 31,
      type_name: 'syscall',
      name: 'first',
      tag: 'a04f5eef06a7f555',
      xlated_prog_len: 16,
      load_time: 5_000_000_000,
      created_by_uid: 0,
      map_ids: [],
      gpl_compatible: true,
      verified_insns: 2,
      run_cnt: 0,
    });
    expect(h.kernel.info(1).jited_prog_len).toBeGreaterThan(0);
  });

  it('prog_load - the tag ignores which map a program names, not what it does', async () => {
    const h = kernelHarness();
    const [a, b] = [h.map(HASH), h.map(HASH)];
    const tag = async (text: string) => h.kernel.info((await h.load(text)).program.id).tag;
    const viaA = await tag(`ld_pseudo r1, 1, ${a}\nr0 = 0\nexit`);
    expect(await tag(`ld_pseudo r1, 1, ${b}\nr0 = 0\nexit`)).toBe(viaA);
    expect(await tag(`ld_pseudo r1, 1, ${b}\nr0 = 1\nexit`)).not.toBe(viaA);
  });

  it('prog_load - the verifier sees the program as submitted, with the maps it names', async () => {
    const h = kernelHarness();
    const id = h.map({ ...HASH, map_flags: 0 });
    const insns = asm`
      ld_pseudo r1, 1, ${id}
      r0 = 0
      exit`;
    await h.load(insns, { prog_type: 'xdp', log_level: 1 });
    expect(h.verifier.requests).toHaveLength(1);
    expect(h.verifier.requests[0]).toMatchObject({ prog_type: 6, license: 'GPL', log_level: 1, insns, maps: [{ map_id: id, map_type: 1, key_size: 4, value_size: 8, max_entries: 16, map_flags: 0 }] });
  });

  it('prog_load - the log comes back only when log_level asks for it', async () => {
    const h = kernelHarness();
    expect((await h.load('r0 = 0\nexit')).log).toBeUndefined();
    expect((await h.load('r0 = 0\nexit', { log_level: 1 })).log).toBe('processed 2 insns\n');
  });

  it('prog_load - a map value reference (BPF_PSEUDO_MAP_VALUE) becomes the address of the value plus the offset', async () => {
    const h = kernelHarness();
    const id = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    h.directory.update(id, u32s(0), u32s(0x11111111, 0x22222222), 0);
    const { program } = await h.load(`ld_pseudo r1, 2, ${id}, 4\nr0 = *(u32 *)(r1 + 0)\nexit`);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(0x22222222);
  });
});

describe('prog_load - refusals', () => {
  it('prog_load - a program the verifier rejects gets its errno and log, and is never compiled nor given an id', async () => {
    const verifier = new FakeVerifier(() => ({ verdict: 'reject', errno: 13, error: { insn: 1, message: 'R0 !read_ok' }, log: '0: (95) exit\nR0 !read_ok\n', stats: { processed_insns: 1, total_states: 0, peak_states: 0 } }));
    const compiler = new SpyCompiler();
    const h = kernelHarness({ verifier, ports: { compiler } });
    const map = h.map(HASH);
    const error = await loadError(h.load(`ld_pseudo r1, 1, ${map}\nexit`));
    expect(error).toBeInstanceOf(ProgramRejectedError);
    expect(error.code).toBe('EACCES');
    expect(error.message).toBe('load program: the verifier rejected the program at instruction 1: R0 !read_ok');
    expect((error as ProgramRejectedError).log).toBe('0: (95) exit\nR0 !read_ok\n');
    expect(compiler.inputs).toHaveLength(0);
    expect(h.released).toEqual([map]);
    expect(() => h.kernel.nextId(0)).toThrow(/no program id above 0/);
  });

  const stats = { processed_insns: 0, total_states: 0, peak_states: 0 };
  it.each([
    ['a rejection with an errno number', { verdict: 'reject', errno: 22, log: '', stats }, 'EINVAL'],
    ['a rejection with an errno name', { verdict: 'reject', errno: 'E2BIG', log: '', stats }, 'E2BIG'],
    ['no verdict at all', { log: '', stats }, 'EACCES'],
    ['an accept without statistics', { verdict: 'accept', log: '' }, 'EACCES'],
  ])('prog_load - %s is a refusal with that errno (EACCES by default)', async (_title, answer, code) => {
    const verifier = new FakeVerifier(() => answer as never);
    expect((await loadError(kernelHarness({ verifier }).load('r0 = 0\nexit'))).code).toBe(code);
  });

  it('prog_load - a GPL-only helper needs a GPL-compatible license', async () => {
    const h = kernelHarness();
    const program = `r1 = r10\nr1 += -8\nr2 = 8\nr3 = 0\ncall ${HelperId.probe_read_kernel}\nr0 = 0\nexit`;
    const error = await loadError(h.load(program, { license: 'Proprietary' }));
    expect(error.code).toBe('EINVAL');
    expect(error.message).toMatch(/instruction 4: cannot call GPL-restricted function from non-GPL compatible program \(bpf_probe_read_kernel\)/);
    for (const license of ['GPL', 'GPL v2', 'Dual BSD/GPL', 'Dual MIT/GPL']) await expect(h.load(program, { license })).resolves.toBeDefined();
    await expect(h.load(`call ${HelperId.get_current_pid_tgid}\nexit`, { license: 'MIT' })).resolves.toBeDefined();
  });

  it('prog_load - a helper bpfhive does not implement, or no helper at all, is EINVAL naming it', async () => {
    const h = kernelHarness();
    expect((await loadError(h.load(`call ${HelperId.override_return}\nexit`))).message).toMatch(/bpf_override_return is not implemented by bpfhive yet/);
    expect((await loadError(h.load('call 9999\nexit'))).message).toMatch(/invalid func unknown#9999/);
  });

  it('prog_load - calls in dead code are never checked: they become ja -1 before the compiler sees them, and the program runs', async () => {
    // The verifier proved the branch always taken: slots 4..7 (the load, the lddw, the call) are dead.
    const verifier = new FakeVerifier(() => ({ ...ACCEPT, facts: { dead_insns: [4, 5, 6, 7] } }));
    const compiler = new SpyCompiler();
    const h = kernelHarness({ verifier, ports: { compiler } });
    const program = 'r0 = -1\nr2 = 0 ll\nif r2 == 0 goto +4\nr1 = *(u32 *)(r1 + 0)\nr3 = 5 ll\ncall 2002000000\nexit';
    const { program: loaded } = await h.load(program, { license: 'Proprietary' });
    const trap = { opcode: 0x05, dst: 0, src: 0, off: -1, imm: 0 };
    expect(compiler.inputs[0]!.insns.slice(3)).toEqual([trap, trap, trap, trap, { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 }]);
    expect(loaded.xlated).toEqual(compiler.inputs[0]!.insns);
    expect(h.kernel.testRun(loaded.id, {}).retval).toBe(-1 >>> 0);
    // Without the fact, the same call is refused.
    expect((await loadError(kernelHarness().load(program))).message).toBe('load program: instruction 7: invalid func unknown#2002000000');
  });

  it('prog_load - a kfunc call the kernel does not implement is EINVAL naming its BTF id, whatever the verifier said', async () => {
    expect((await loadError(kernelHarness().load('call kfunc#1234\nr0 = 0\nexit'))).message).toMatch(/instruction 0: kernel function BTF id 1234 is not implemented by bpfhive/);
  });

  it('prog_load - a map id that names no map is EBADF', async () => {
    const error = await loadError(kernelHarness().load('ld_pseudo r1, 1, 77\nr0 = 0\nexit'));
    expect([error.code, error.message]).toEqual(['EBADF', 'map 77: no such map in this kernel']);
  });

  it.each([
    ['an unknown prog_type', { prog_type: 'teapot' }, 'EINVAL', /unknown prog_type "teapot"/],
    ['prog_type 0 (unspec)', { prog_type: 0 }, 'EINVAL', /unknown prog_type 0/],
    ['no instructions', { insns: new Uint8Array(0) }, 'E2BIG', /no instructions/],
    ['more than 1,000,000 instructions', { insns: new Uint8Array(8 * 1_000_001) }, 'E2BIG', /1000001 instructions is more than 1000000/],
    ['a truncated instruction', { insns: new Uint8Array(12) }, 'EINVAL', /load program: decode: instruction 1: truncated/],
    ['an unknown opcode', { insns: Uint8Array.of(0xff, 0, 0, 0, 0, 0, 0, 0) }, 'EINVAL', /load program: decode: instruction 0/],
    ['a name too long', { prog_name: 'sixteen_chars_xx' }, 'EINVAL', /prog_name/],
    ['a name with a dash', { prog_name: 'a-b' }, 'EINVAL', /prog_name/],
    ['unknown prog_flags', { prog_flags: 0x100 }, 'EINVAL', /prog_flags 0x100/],
    ['an unknown log level', { log_level: 16 }, 'EINVAL', /log_level 16/],
    ['a cgroup_skb program for XDP', { prog_type: 'cgroup_skb', expected_attach_type: 'xdp' }, 'EINVAL', /cgroup_skb program cannot have expected_attach_type xdp/],
    ['a syscall program with an attach type', { prog_type: 'syscall', expected_attach_type: 'xdp' }, 'EINVAL', /syscall program cannot have/],
  ])('prog_load - %s is refused before the verifier runs', async (_title, attr, code, message) => {
    const h = kernelHarness();
    const error = await loadError(h.kernel.load({ prog_type: 'syscall', license: 'GPL', insns: encode(asm`r0 = 0\nexit`), ...attr }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(h.verifier.requests).toHaveLength(0);
  });

  it('prog_load - direct value access needs a one-element array and an offset inside the value', async () => {
    const h = kernelHarness();
    const hash = h.map(HASH);
    const array4 = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 4 });
    const array1 = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    expect((await loadError(h.load(`ld_pseudo r1, 2, ${hash}, 0\nr0 = 0\nexit`))).message).toMatch(/no direct value access support for map \d+ \(hash\)/);
    expect((await loadError(h.load(`ld_pseudo r1, 2, ${array4}, 0\nr0 = 0\nexit`))).code).toBe('ENOTSUPP');
    expect((await loadError(h.load(`ld_pseudo r1, 2, ${array1}, 8\nr0 = 0\nexit`))).message).toMatch(/direct value offset of 8 is not allowed/);
  });
});

describe('prog_load - lifetimes', () => {
  it('prog_close - a program holds its maps until its last reference goes', async () => {
    const k = kernelHarness();
    const released = k.released;
    const map = k.map(HASH);
    const one = await k.load(`ld_pseudo r1, 1, ${map}\nr0 = 0\nexit`);
    const two = await k.load(`ld_pseudo r1, 1, ${map}\nld_pseudo r2, 1, ${map}\nr0 = 0\nexit`);
    expect(k.kernel.info(two.program.id).map_ids).toEqual([map]);
    k.kernel.close(one.program.id);
    expect(released).toEqual([]);
    k.kernel.hold(two.program.id);
    k.kernel.close(two.program.id);
    expect(released).toEqual([]);
    k.kernel.close(two.program.id);
    expect(released).toEqual([map]);
    expect(() => k.kernel.close(two.program.id)).toThrow(/program 2: no such program/);
    expect(() => k.kernel.info(two.program.id)).toThrow(BpfError);
  });

  it('prog_get_next_id - walks the loaded ids in order and ends with ENOENT', async () => {
    const h = kernelHarness();
    for (let i = 0; i < 3; i++) await h.load('r0 = 0\nexit');
    h.kernel.close(2);
    expect([h.kernel.nextId(0), h.kernel.nextId(1)]).toEqual([1, 3]);
    expect(() => h.kernel.nextId(3)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('prog_load - run statistics count every run', async () => {
    const h = kernelHarness();
    const { program } = await h.load('r0 = 7\nexit');
    expect(h.kernel.testRun(program.id, {}).retval).toBe(7);
    h.kernel.testRun(program.id, {});
    expect(h.kernel.info(program.id).run_cnt).toBe(2);
  });
});
