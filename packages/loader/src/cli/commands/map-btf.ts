import type { MapInfoReply } from '@bpfhive/uapi';
import type { BpfClient } from '../../client/index.js';
import type { MapBtf } from '../format/map-entry.js';
import type { Output } from '../format/output.js';
import { btfById } from './btf-source.js';

/**
 * The BTF a map's elements are described in, for the `formatted` member of JSON entries and the
 * text form of plain output (bpftool's get_map_kv_btf): undefined when the map has no BTF value
 * type. A BTF that cannot be read is a warning on stderr, and the entries go without it (no
 * `formatted`; hex in plain text).
 */
export async function mapBtfOf(client: BpfClient, info: MapInfoReply, out: Output): Promise<MapBtf | undefined> {
  if (!info.btf_id || !info.btf_value_type_id) return undefined;
  try {
    return { btf: await btfById(client, info.btf_id), keyTypeId: info.btf_key_type_id ?? 0, valueTypeId: info.btf_value_type_id };
  } catch (e) {
    out.info(`Warning: map ${info.map_id}: cannot read its BTF (btf id ${info.btf_id}), elements are printed without it: ${(e as Error).message}`);
    return undefined;
  }
}
