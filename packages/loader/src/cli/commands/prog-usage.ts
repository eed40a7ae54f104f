import type { ProgSubcommand } from './prog-context.js';

/** The usage of `bpfhive prog`, shaped like bpftool's `prog help`. */

const LEGEND = [
  '       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }',
  '       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }',
  '       TYPE := a libbpf section name: { socket | kprobe | kretprobe | classifier | action |',
  '                 tracepoint | raw_tracepoint | xdp | perf_event | cgroup/skb | cgroup/sock |',
  '                 sockops | sk_skb | sk_msg | flow_dissector | cgroup/connect4 | fentry | fexit |',
  '                 lsm | tc | tcx/ingress | tcx/egress | … }',
].join('\n');

const OPTIONS = [
  '       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-f|--bpffs} | --nats URL }',
  '',
  '  Programs live in the kernel-sim, maps in the maps-store, reached over NATS: --nats URL, else',
  '  NATS_URL, else nats://127.0.0.1:4222. FILE and PATH are pin paths under /sys/fs/bpf; OBJ is a',
  '  clang -target bpf object. Keywords may be abbreviated. Output is bpftool\'s, plain or JSON',
  '  (-j, -p pretty-printed; -f adds the paths each program is pinned at). dump xlated/jited print',
  '  what the kernel-sim\'s program info carries. autoattach links each program where its section',
  '  says (tracepoint, raw_tp, kprobe, fentry, lsm, …) and pins the link at PATH (loadall:',
  '  PATH/NAME); a program with no such hook (xdp, tc, cgroup, socket) is pinned instead.',
  '  Exit status: 0 on success, 255 on any failure (bpftool\'s -1).',
].join('\n');

/** The full usage: the synopsis of each of `subcommands`, the grammar, the options. */
export function progUsage(subcommands: readonly ProgSubcommand[]): string {
  const lines = subcommands.map((s, i) => `${i === 0 ? 'Usage:' : '      '} bpfhive prog ${s.synopsis}`);
  return [...lines, '       bpfhive prog help', '', LEGEND, OPTIONS].join('\n');
}

/** One subcommand's usage, with the grammar it refers to. */
export function progSubcommandUsage(subcommand: ProgSubcommand): string {
  return `Usage: bpfhive prog ${subcommand.synopsis}\n\n${LEGEND}\n${OPTIONS}`;
}
