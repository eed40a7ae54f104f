import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from './main.js';
import { memoryIo } from './test-io.js';

/**
 * `--help` (and `-h`) on every command and on every subcommand the issue names prints that
 * command's usage on stdout and exits 0, touching no service (no NATS is running here).
 */
const SUBCOMMANDS: readonly (readonly [string, string, string])[] = [
  ['prog', 'show', 'bpfhive prog { show | list }'],
  ['prog', 'list', 'bpfhive prog { show | list }'],
  ['prog', 'load', 'bpfhive prog { load | loadall } OBJ'],
  ['prog', 'loadall', 'bpfhive prog { load | loadall } OBJ'],
  ['prog', 'dump', 'bpfhive prog dump xlated PROG'],
  ['prog', 'run', 'bpfhive prog run PROG'],
  ['prog', 'pin', 'bpfhive prog pin'],
  ['map', 'create', 'bpfhive map create'],
  ['map', 'list', 'bpfhive map { show | list }'],
  ['map', 'show', 'bpfhive map { show | list }'],
  ['map', 'dump', 'bpfhive map dump'],
  ['map', 'lookup', 'bpfhive map lookup'],
  ['map', 'update', 'bpfhive map update'],
  ['map', 'delete', 'bpfhive map delete'],
  ['map', 'pin', 'bpfhive map pin'],
  ['map', 'peek', 'bpfhive map peek'],
  ['map', 'push', 'bpfhive map push'],
  ['map', 'pop', 'bpfhive map pop'],
  ['link', 'list', 'bpfhive link { show | list }'],
  ['link', 'show', 'bpfhive link { show | list }'],
  ['link', 'detach', 'bpfhive link detach'],
  ['link', 'pin', 'bpfhive link pin'],
  ['btf', 'dump', 'bpfhive btf dump BTF_SRC'],
  ['net', 'replay', 'bpfhive net replay FILE'],
];

async function help(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = memoryIo('');
  const status = await runCli(argv, io);
  return { status, out: io.out(), err: io.err() };
}

describe('bpfhive --help', () => {
  it.each(COMMANDS.map((c) => c.name))('bpfhive %s --help prints its usage and exits 0', async (name) => {
    for (const flag of ['--help', '-h']) {
      const { status, out, err } = await help([name, flag]);
      expect({ status, err }).toEqual({ status: 0, err: '' });
      expect(out).toMatch(new RegExp(`^Usage: bpfhive ${name}\\b`));
    }
  });

  it.each(SUBCOMMANDS)('bpfhive %s %s --help prints that usage and exits 0', async (command, sub, usage) => {
    const { status, out, err } = await help([command, sub, '--help']);
    expect({ status, err }).toEqual({ status: 0, err: '' });
    expect(out.startsWith(`Usage: ${usage}`)).toBe(true);
  });

  it('bpfhive help states the exit status of every kind of command', async () => {
    const { status, out } = await help(['help']);
    expect(status).toBe(0);
    expect(out).toContain('Exit status: 0 on success; 255 when a bpftool-style command (prog, map, link, btf, net, perf, bench) fails,');
    expect(out).toContain('verify: 1 when a program is refused, 2 when nothing could be verified.');
  });
});

describe('bpfhive exit status', () => {
  it.each([
    [['map', 'bogus'], 255, "Error: unknown map command 'bogus'; run 'bpfhive map help'\n"],
    [['prog', 'bogus'], 255, "Error: unknown prog command 'bogus'; run 'bpfhive prog help'\n"],
    [['link', 'bogus'], 255, "Error: unknown link command 'bogus'; run 'bpfhive link help'\n"],
    [['btf', 'bogus'], 255, "Error: unknown btf command 'bogus'; run 'bpfhive btf help'\n"],
    [['net', 'bogus'], 255, "Error: unknown net command 'bogus'; run 'bpfhive net help'\n"],
    [['perf', 'bogus'], 255, "Error: unknown perf command 'bogus'; run 'bpfhive perf help'\n"],
    [['btf', 'dump', 'file', '/no/such.o'], 255, 'Error: failed to load BTF from /no/such.o: No such file or directory\n'],
    [['verify', '/no/such.o'], 2, 'Error: cannot open /no/such.o: no such file\n'],
    [['disasm', '/no/such.bin'], 1, 'Error: cannot open /no/such.bin: no such file\n'],
  ])('bpfhive %j exits %i', async (argv, code, err) => {
    const result = await help([...argv]);
    expect({ status: result.status, err: result.err }).toEqual({ status: code, err });
  });
});
