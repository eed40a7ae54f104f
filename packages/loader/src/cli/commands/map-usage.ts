import { MAP_TYPE_ENTRIES } from '@bpfhive/uapi';
import type { MapSubcommand } from './map-context.js';

/** The usage of `bpfhive map`, shaped like bpftool's `map help`. */

/** `TYPE := { hash | array | … }`, wrapped as bpftool wraps it. */
function typeLegend(): string {
  const names = MAP_TYPE_ENTRIES.filter((e) => e.value !== 0).map((e) => e.bpftool);
  const lines: string[] = [];
  let line = '       TYPE := {';
  for (const [i, name] of names.entries()) {
    const word = ` ${name}${i < names.length - 1 ? ' |' : ' }'}`;
    if (line.length + word.length > 88) {
      lines.push(line);
      line = '                ';
    }
    line += word;
  }
  return [...lines, line].join('\n');
}

const LEGEND = [
  '       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }',
  '       DATA := { [hex] BYTES }',
  '       PROG := { id PROG_ID | pinned FILE }',
  '       VALUE := { DATA | MAP | PROG }',
  '       UPDATE_FLAGS := { any | exist | noexist }',
].join('\n');

const OPTIONS = [
  '       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-f|--bpffs} | --nats URL }',
  '',
  '  Maps live in the maps-store (or the kernel-sim while programs use them), reached over NATS:',
  '  --nats URL, else NATS_URL, else nats://127.0.0.1:4222. FILE is a pin path under /sys/fs/bpf.',
  '  Keywords may be abbreviated (k for key); bytes read like C numbers (0x2a, 052, 42) or, after',
  '  hex, as hex (2a). Output is bpftool\'s, plain or JSON (-j, -p pretty-printed).',
  '  Exit status: 0 on success, 255 on any failure (bpftool\'s -1).',
].join('\n');

/** The full usage: the synopsis of each of `subcommands`, the grammar, the options. */
export function mapUsage(subcommands: readonly MapSubcommand[]): string {
  const lines = subcommands.map((s, i) => `${i === 0 ? 'Usage:' : '      '} bpfhive map ${s.synopsis}`);
  return [...lines, '       bpfhive map help', '', LEGEND, typeLegend(), OPTIONS].join('\n');
}

/** One subcommand's usage, with the grammar it refers to. */
export function subcommandUsage(subcommand: MapSubcommand): string {
  const type = subcommand.name === 'create' ? `\n${typeLegend()}` : '';
  return `Usage: bpfhive map ${subcommand.synopsis}\n\n${LEGEND}${type}\n${OPTIONS}`;
}
