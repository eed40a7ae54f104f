/**
 * loadCollection fetches the kernel's BTF itself, as libbpf loads vmlinux BTF: only when the
 * object needs it and none was given, and a failed fetch fails the load before anything is
 * created. (Over a real kernel-sim: test/prog-btf-nats.test.ts and test/cli-net-replay.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { LoadError, loadCollection, needsKernelBtf } from '../src/loader/index.js';
import { type ObjectSpec, readObject } from '../src/object/index.js';
import { type ObjectName, objectBytes } from './objects/fixtures.js';
import { fakeClient } from './support/fake-bus.js';
import { FakeKernel } from './support/fake-kernel.js';

const spec = (name: ObjectName): ObjectSpec => readObject(objectBytes(name), { path: `${name}.o` });
const BTF_INFO = 'bpf.v1.btf.1.info';

describe('loadCollection - the kernel BTF', () => {
  it('an object that needs it and is given none: fetched first; the fake kernel serves none, so the load fails and creates nothing', async () => {
    const kernel = new FakeKernel();
    const object = spec('fentry_core');
    expect(needsKernelBtf(object)).toBe(true);
    const error = (await loadCollection(object, fakeClient(kernel)).catch((e: unknown) => e)) as LoadError;
    expect(error).toBeInstanceOf(LoadError);
    expect([error.code, error.message]).toEqual(['ENOSYS', "load object: failed to load the kernel's BTF (btf id 1), which the object needs: fake kernel: nothing serves bpf.v1.btf.1.info"]);
    expect(kernel.calls.map((c) => c.subject)).toEqual([BTF_INFO]);
  });

  it.each([
    ['an object that does not need it', 'xdp_parser' as const, {}],
    ['told not to fetch it', 'fentry_core' as const, { loadKernelBtf: false }],
  ])('%s: never asked for', async (_title, name, options) => {
    const kernel = new FakeKernel();
    await loadCollection(spec(name), fakeClient(kernel), options).then(
      (c) => c.close(),
      () => undefined, // the fake kernel refuses a tracing program without attach_btf_id or not: only the requests matter here
    );
    expect(kernel.calls.some((c) => c.subject === BTF_INFO)).toBe(false);
    expect(kernel.callsTo('prog_load').length).toBeGreaterThan(0);
  });

  it('typed ksym externs need it, as libbpf decides', () => {
    const object = spec('xdp_parser');
    const ksym = (typeId: number, func: boolean): ObjectSpec => ({ ...object, externs: [{ name: 'k', kind: 'ksym', weak: true, btfId: 1, ksym: { typeId, func } }] });
    expect(needsKernelBtf(object)).toBe(false);
    expect(needsKernelBtf(ksym(0, false))).toBe(false); // `extern const void k __ksym`: typeless, kallsyms is enough
    expect(needsKernelBtf(ksym(5, false))).toBe(true);
    expect(needsKernelBtf(ksym(5, true))).toBe(true);
  });
});
