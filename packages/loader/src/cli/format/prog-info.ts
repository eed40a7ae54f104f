import { progTypeName } from '@bpfhive/uapi';
import type { ProgInfoReply } from '@bpfhive/uapi';
import { type HostClock, bootTimeToEpochSeconds, isoLocalTime } from './boot-time.js';
import type { JsonWriter } from './json-writer.js';

/** What `prog show` prints about one program. */
export interface ProgShow {
  readonly info: ProgInfoReply;
  /** Turns load_time into wall-clock time. */
  readonly clock: HostClock;
  /** Paths the program is pinned at; printed only when given. */
  readonly pinned?: readonly string[];
}

/**
 * The first line of `prog show`, also the header of each program in a multi-program dump:
 * `3: xdp  name xdp_prog  tag 3b185187f1855c4c  gpl run_time_ns 1200 run_cnt 4`.
 */
export function progHeaderPlain(info: ProgInfoReply): string {
  const type = progTypeName(info.type);
  let out = `${info.id}: ${type ? `${type}  ` : `type ${info.type}  `}${info.name ? `name ${info.name}  ` : ''}tag ${info.tag}`;
  if (info.gpl_compatible) out += '  gpl';
  if (info.run_time_ns) out += ` run_time_ns ${info.run_time_ns} run_cnt ${info.run_cnt}`;
  if (info.recursion_misses) out += ` recursion_misses ${info.recursion_misses}`;
  return `${out}\n`;
}

/**
 * `prog show` for one program, as bpftool prints it (no memlock: the info reply has none):
 *
 *     3: xdp  name xdp_prog  tag 3b185187f1855c4c  gpl
 *     \tloaded_at 2024-05-01T10:20:30+0200  uid 0
 *     \txlated 96B  jited 249B  map_ids 4,5
 *     \tpinned /sys/fs/bpf/xdp_prog
 *     \tbtf_id 12
 */
export function progShowPlain({ info, clock, pinned }: ProgShow): string {
  let out = progHeaderPlain(info);
  if (info.load_time) out += `\tloaded_at ${isoLocalTime(bootTimeToEpochSeconds(info.load_time, clock))}  uid ${info.created_by_uid}\n`;
  out += `\txlated ${info.xlated_prog_len}B${info.jited_prog_len ? `  jited ${info.jited_prog_len}B` : '  not jited'}`;
  if (info.map_ids.length > 0) out += `  map_ids ${info.map_ids.join(',')}`;
  for (const path of pinned ?? []) out += `\n\tpinned ${path}`;
  if (info.btf_id) out += `\n\tbtf_id ${info.btf_id}`;
  return `${out}\n`;
}

/** The members bpftool's JSON starts a program with: id, type, name (when set), tag, gpl_compatible, run counts when run. */
export function writeProgHeaderJson(json: JsonWriter, info: ProgInfoReply): void {
  const type = progTypeName(info.type);
  json.field('id', info.id).field('type', type ?? info.type);
  if (info.name) json.field('name', info.name);
  json.field('tag', info.tag).field('gpl_compatible', info.gpl_compatible);
  if (info.run_time_ns) json.field('run_time_ns', info.run_time_ns).field('run_cnt', info.run_cnt);
  if (info.recursion_misses) json.field('recursion_misses', info.recursion_misses);
}

/**
 * `prog show -j` for one program: bpftool's members (loaded_at in epoch seconds, bytes_xlated,
 * jited, bytes_jited, map_ids, btf_id, pinned), then `verified_insns`, which bpftool leaves out.
 */
export function writeProgShowJson(json: JsonWriter, { info, clock, pinned }: ProgShow): void {
  json.startObject();
  writeProgHeaderJson(json, info);
  if (info.load_time) json.field('loaded_at', bootTimeToEpochSeconds(info.load_time, clock)).field('uid', info.created_by_uid);
  json.field('orphaned', false).field('bytes_xlated', info.xlated_prog_len).field('jited', info.jited_prog_len > 0);
  if (info.jited_prog_len) json.field('bytes_jited', info.jited_prog_len);
  if (info.map_ids.length > 0) {
    json.name('map_ids').startArray();
    for (const id of info.map_ids) json.number(id);
    json.endArray();
  }
  if (info.btf_id) json.field('btf_id', info.btf_id);
  if (pinned) {
    json.name('pinned').startArray();
    for (const path of pinned) json.string(path);
    json.endArray();
  }
  if (info.verified_insns) json.field('verified_insns', info.verified_insns);
  json.endObject();
}
