import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ALL_CAPABILITIES, type Btf, decode, hexToBytes, parseProgType } from '@bpfhive/uapi';
import { verify } from '@bpfhive/verifier';
import { LoadError } from '../../loader/errors.js';
import { NoKernelBtfError } from '../../loader/ksyms.js';
import { type ObjectSpec, matchSection, readObject } from '../../object/index.js';
import type { Command } from '../command.js';
import { Output } from '../format/output.js';
import { type CliIo, UsageError, looksLikeHex, readInput } from '../io.js';
import { errorLine } from '../tty.js';
import { btfFromFile } from './btf-source.js';
import { slotCountOf, verifyObject } from './verify-object.js';
import { type VerifyReport, verifyReport, verifyReportPlain, writeVerifyJson } from './verify-report.js';

/** Every program accepted. */
const EXIT_ACCEPTED = 0;
/** At least one program refused. */
const EXIT_REJECTED = 1;
/** Nothing verified: bad arguments, an object, bytecode or BTF that cannot be read, an unresolved extern, a map BTF the kernel refuses. */
const EXIT_TROUBLE = 2;

/** The kernel-sim's BTF in this workspace (packages/kernel-sim/btf/vmlinux.btf), from src/ and dist/ alike. */
const WORKSPACE_KERNEL_BTF = fileURLToPath(new URL('../../../../kernel-sim/btf/vmlinux.btf', import.meta.url));

const USAGE = `Usage: bpfhive verify FILE.o [--json|-j] [--pretty|-p] [--log-level N] [--btf FILE|none]
       bpfhive verify --raw FILE --prog-type TYPE [--license TEXT] [--json] [--log-level N]

  Verifies every program of a clang -target bpf object locally with the bpfhive verifier, as
  loading it would: maps get placeholder ids 1..n with the object's map definitions (with BTF,
  their values' bpf_spin_lock, bpf_timer and kptrs as the kernel finds them), __ksym externs
  (kfuncs, typed ksyms) are resolved against the kernel's BTF, programs are relocated to them,
  and CO-RE relocations are applied against the kernel's BTF (--btf FILE; by default the
  kernel-sim's packages/kernel-sim/btf/vmlinux.btf when it is there; none: no kernel BTF, as on
  a kernel without it: CO-RE relocations keep the compiler's offsets, and an object with a typed
  __ksym (a kfunc or a typed kernel variable, weak or strong) is not verified at all, as libbpf
  fails to load it: "failed to find valid kernel BTF"). A big-endian object (clang -target bpfeb)
  is refused as libbpf refuses to load it: bpfhive's kernel is little-endian. --raw verifies bytecode (raw bytes or hex text, - for standard input) of one type
  (xdp, kprobe, socket, a section name…) that uses no maps.

  Prints one line per program (name, section, type, instructions, verdict, instructions the
  verifier processed) and why a program was refused; with --json an array of
  {section, name, prog_type, insn_cnt, verdict, processed_insns, error, log}.
    --log-level N   the verifier's log_level (1: the path to an error, 2: every instruction, 4: statistics)

  Exit status: 0 when every program is accepted, 1 when any is refused, 2 when nothing could be
  verified (bad arguments, an unreadable object, bytecode or BTF, an extern that does not
  resolve, a map BTF the kernel would refuse).`;

interface VerifyOptions {
  readonly json: boolean;
  readonly pretty: boolean;
  readonly logLevel: number;
  readonly btf: string | undefined;
  readonly raw: string | undefined;
  readonly progType: string | undefined;
  readonly license: string;
  readonly file: string | undefined;
}

function parseVerifyArgs(args: readonly string[]): VerifyOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      json: { type: 'boolean', short: 'j', default: false },
      pretty: { type: 'boolean', short: 'p', default: false },
      'log-level': { type: 'string', default: '0' },
      btf: { type: 'string' },
      raw: { type: 'string' },
      'prog-type': { type: 'string' },
      license: { type: 'string', default: 'GPL' },
    },
  });
  const logLevel = Number(values['log-level']);
  if (!Number.isInteger(logLevel) || logLevel < 0) throw new UsageError(`--log-level takes a number, not '${values['log-level']}'`);
  if (values.raw === undefined && positionals.length !== 1) throw new UsageError('verify takes one object FILE (or --raw FILE --prog-type TYPE)');
  if (values.raw !== undefined && (positionals.length !== 0 || values['prog-type'] === undefined)) throw new UsageError('verify --raw FILE needs --prog-type TYPE and no object');
  return {
    json: values.json || values.pretty,
    pretty: values.pretty,
    logLevel,
    btf: values.btf,
    raw: values.raw,
    progType: values['prog-type'],
    license: values.license,
    file: positionals[0],
  };
}

/** A program type by name or number (`xdp`, `6`), else as libbpf reads a section name (`kprobe/`, `tc`). */
function progTypeOf(text: string): { type: number; expectedAttachType: number } {
  const byName = parseProgType(text);
  if (byName !== undefined) return { type: byName, expectedAttachType: 0 };
  for (const name of [text, `${text}/`]) {
    const meaning = matchSection(name);
    if (meaning.def) return { type: meaning.progType, expectedAttachType: meaning.expectedAttachType };
  }
  throw new UsageError(`unknown program type '${text}'`);
}

/** The kernel's BTF for CO-RE: --btf FILE, none, or the workspace's kernel-sim BTF when present. */
async function kernelBtfFor(option: string | undefined): Promise<Btf | undefined> {
  if (option === 'none') return undefined;
  if (option !== undefined) return btfFromFile(option);
  return existsSync(WORKSPACE_KERNEL_BTF) ? btfFromFile(WORKSPACE_KERNEL_BTF) : undefined;
}

async function openObject(path: string, io: CliIo): Promise<ObjectSpec> {
  const bytes = await readInput(path, io);
  try {
    return readObject(bytes, { path });
  } catch (e) {
    throw new UsageError(`failed to open object file ${path}: ${(e as Error).message}`);
  }
}

/** Verifies an object's programs; CO-RE warnings go to stderr as libbpf prints them. */
async function objectReports(options: VerifyOptions, io: CliIo, out: Output): Promise<VerifyReport[]> {
  const spec = await openObject(options.file!, io);
  const kernelBtf = await kernelBtfFor(options.btf);
  const verdicts = verifyWithoutBtfHint(() => verifyObject(spec, { logLevel: options.logLevel, kernelBtf }), kernelBtf, options.btf);
  return verdicts.map((v) => {
    for (const warning of v.warnings) out.info(`libbpf: ${warning}`);
    const kfunc = v.unresolvedKfunc;
    const result = kfunc?.log !== undefined ? { ...v.result, log: kfunc.log } : v.result;
    const explanation = v.coreError ?? (kfunc && { message: kfunc.reason });
    const report = verifyReport({ section: v.program.sectionName, name: v.program.name, type: v.program.type }, slotCountOf(v.insns), result, explanation);
    out.plain(verifyReportPlain(report, v.coreError ? undefined : v.result.error?.line));
    return report;
  });
}

/**
 * Runs `verify`; when it fails for want of the kernel's BTF (a typed `__ksym`, which libbpf
 * resolves only against it), says how to give it.
 */
function verifyWithoutBtfHint<T>(verify: () => T, kernelBtf: Btf | undefined, option: string | undefined): T {
  try {
    return verify();
  } catch (e) {
    if (kernelBtf || !(e instanceof LoadError) || !(e.cause instanceof NoKernelBtfError)) throw e;
    const hint = option === 'none' ? 'verify without --btf none (the kernel-sim\'s BTF) or with --btf FILE' : 'give the kernel\'s BTF with --btf FILE';
    throw new UsageError(`${e.message}; ${hint}`);
  }
}

/** Verifies raw bytecode of one program type, with no maps. */
async function rawReport(options: VerifyOptions, io: CliIo, out: Output): Promise<VerifyReport[]> {
  const input = await readInput(options.raw!, io);
  const { type, expectedAttachType } = progTypeOf(options.progType!);
  let insns;
  try {
    insns = decode(looksLikeHex(input) ? hexToBytes(Buffer.from(input).toString('latin1')) : input);
  } catch (e) {
    throw new UsageError(`${options.raw}: ${(e as Error).message}`);
  }
  const result = verify({
    insns,
    progType: type,
    ...(expectedAttachType !== 0 && { expectedAttachType }),
    license: options.license,
    logLevel: options.logLevel,
    privileges: ALL_CAPABILITIES,
    maps: new Map(),
  });
  const report = verifyReport({ section: '', name: basename(options.raw!), type }, slotCountOf(insns), result);
  out.plain(verifyReportPlain(report, result.error?.line));
  return [report];
}

/**
 * `bpfhive verify`: the verifier run locally on an object's programs (or raw bytecode), no
 * services needed. Exits 0, 1 (a program refused) or 2 (nothing verified).
 */
export const verifyCommand: Command = {
  name: 'verify',
  summary: "verify an object's programs (or raw bytecode) locally with the bpfhive verifier",
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    let options: VerifyOptions;
    try {
      options = parseVerifyArgs(args);
    } catch (e) {
      io.stderr(errorLine(io, (e as Error).message));
      return EXIT_TROUBLE;
    }
    const out = new Output(io, options);
    let status: number;
    try {
      const reports = options.raw === undefined ? await objectReports(options, io, out) : await rawReport(options, io, out);
      if (out.json) writeVerifyJson(out.json, reports);
      status = reports.some((r) => r.verdict === 'reject') ? EXIT_REJECTED : EXIT_ACCEPTED;
    } catch (e) {
      out.error((e as Error).message);
      status = EXIT_TROUBLE;
    }
    out.finish();
    return status;
  },
};
