import { type ProgInfoReply, ProgType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { bootTimeToEpochSeconds, isoLocalTime } from './boot-time.js';
import { JsonWriter } from './json-writer.js';
import { progShowPlain, writeProgShowJson } from './prog-info.js';

const info: ProgInfoReply = {
  id: 3,
  type: ProgType.XDP,
  type_name: 'xdp',
  expected_attach_type: 37,
  name: 'xdp_prog',
  tag: '3b185187f1855c4c',
  xlated_prog_len: 96,
  jited_prog_len: 249,
  load_time: 5_000_000_000,
  created_by_uid: 0,
  map_ids: [4, 5],
  gpl_compatible: true,
  btf_id: 0,
  verified_insns: 12,
  run_time_ns: 0,
  run_cnt: 0,
  recursion_misses: 0,
};
/** Booted 100 s before 2024-01-01T00:01:40Z: a program loaded 5 s after boot was loaded at 00:00:05. */
const clock = { nowMs: Date.UTC(2024, 0, 1, 0, 1, 40), uptimeS: 100 };
const loadedAt = isoLocalTime(Date.UTC(2024, 0, 1, 0, 0, 5) / 1000);

describe('prog show formats', () => {
  it.each([
    ['an XDP program with maps', info, `3: xdp  name xdp_prog  tag 3b185187f1855c4c  gpl\n\tloaded_at ${loadedAt}  uid 0\n\txlated 96B  jited 249B  map_ids 4,5\n`],
    [
      'run, not jited, unnamed, with BTF, by an unknown type',
      { ...info, type: 99, name: '', gpl_compatible: false, jited_prog_len: 0, map_ids: [], run_time_ns: 70, run_cnt: 2, recursion_misses: 1, btf_id: 9, load_time: 0 },
      '3: type 99  tag 3b185187f1855c4c run_time_ns 70 run_cnt 2 recursion_misses 1\n\txlated 96B  not jited\n\tbtf_id 9\n',
    ],
  ])('plain: %s', (_title, program, expected) => {
    expect(progShowPlain({ info: program, clock })).toBe(expected);
  });

  it('JSON: bpftool members in its order, loaded_at in epoch seconds, then verified_insns', () => {
    let out = '';
    const json = new JsonWriter((t) => (out += t));
    writeProgShowJson(json, { info, clock, pinned: ['/sys/fs/bpf/xdp'] });
    expect(out).toBe(
      '{"id":3,"type":"xdp","name":"xdp_prog","tag":"3b185187f1855c4c","gpl_compatible":true,"loaded_at":1704067205,"uid":0,' +
        '"orphaned":false,"bytes_xlated":96,"jited":true,"bytes_jited":249,"map_ids":[4,5],"pinned":["/sys/fs/bpf/xdp"],"verified_insns":12}',
    );
  });

  it('boot time becomes wall-clock time with the host clocks, as bpftool computes it', () => {
    expect(bootTimeToEpochSeconds(5_000_000_000, clock)).toBe(1704067205);
    expect(isoLocalTime(0)).toMatch(/^19(69|70)-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$/);
  });
});
