/**
 * Which helpers may be given which maps (the kernel's check_map_func_compatibility), checked
 * both ways: a map type allows only certain helpers, and some helpers need a certain map type.
 * "cannot pass map_type 27 into func bpf_map_lookup_elem#1".
 */
import { HelperId, MapType, helperName } from '@bpfhive/uapi';
import type { Env } from './env.js';
import type { MapInfo } from './map-info.js';

const H = HelperId;
const M = MapType;

/** Map types that accept only the listed helpers. */
const MAP_ALLOWS: ReadonlyMap<number, ReadonlySet<number>> = new Map<number, ReadonlySet<number>>([
  [M.PROG_ARRAY, new Set([H.tail_call])],
  [M.PERF_EVENT_ARRAY, new Set([H.perf_event_read, H.perf_event_output, H.skb_output, H.perf_event_read_value, H.xdp_output])],
  [M.RINGBUF, new Set([H.ringbuf_output, H.ringbuf_reserve, H.ringbuf_query, H.ringbuf_reserve_dynptr, H.ringbuf_submit_dynptr, H.ringbuf_discard_dynptr])],
  [M.USER_RINGBUF, new Set([H.user_ringbuf_drain])],
  [M.STACK_TRACE, new Set([H.get_stackid])],
  [M.CGROUP_ARRAY, new Set([H.skb_under_cgroup, H.current_task_under_cgroup])],
  [M.CGROUP_STORAGE, new Set([H.get_local_storage])],
  [M.PERCPU_CGROUP_STORAGE, new Set([H.get_local_storage])],
  [M.DEVMAP, new Set([H.redirect_map, H.map_lookup_elem])],
  [M.DEVMAP_HASH, new Set([H.redirect_map, H.map_lookup_elem])],
  [M.CPUMAP, new Set([H.redirect_map])],
  [M.XSKMAP, new Set([H.redirect_map, H.map_lookup_elem])],
  [M.ARRAY_OF_MAPS, new Set([H.map_lookup_elem])],
  [M.HASH_OF_MAPS, new Set([H.map_lookup_elem])],
  [M.SOCKMAP, new Set([H.sk_redirect_map, H.sock_map_update, H.msg_redirect_map, H.sk_select_reuseport, H.map_lookup_elem, H.map_update_elem, H.map_delete_elem])],
  [M.SOCKHASH, new Set([H.sk_redirect_hash, H.sock_hash_update, H.msg_redirect_hash, H.sk_select_reuseport, H.map_lookup_elem, H.map_update_elem, H.map_delete_elem])],
  [M.REUSEPORT_SOCKARRAY, new Set([H.sk_select_reuseport])],
  [M.QUEUE, new Set([H.map_peek_elem, H.map_pop_elem, H.map_push_elem])],
  [M.STACK, new Set([H.map_peek_elem, H.map_pop_elem, H.map_push_elem])],
  [M.SK_STORAGE, new Set([H.sk_storage_get, H.sk_storage_delete, H.kptr_xchg])],
  [M.INODE_STORAGE, new Set([H.inode_storage_get, H.inode_storage_delete, H.kptr_xchg])],
  [M.TASK_STORAGE, new Set([H.task_storage_get, H.task_storage_delete, H.kptr_xchg])],
  [M.CGRP_STORAGE, new Set([H.cgrp_storage_get, H.cgrp_storage_delete, H.kptr_xchg])],
  [M.BLOOM_FILTER, new Set([H.map_peek_elem, H.map_push_elem])],
]);

/** Helpers that accept only the listed map types. */
const HELPER_NEEDS: ReadonlyMap<number, ReadonlySet<number>> = new Map<number, ReadonlySet<number>>([
  [H.tail_call, new Set([M.PROG_ARRAY])],
  ...[H.perf_event_read, H.perf_event_output, H.perf_event_read_value, H.skb_output, H.xdp_output].map(
    (h) => [h, new Set([M.PERF_EVENT_ARRAY])] as const),
  ...[H.ringbuf_output, H.ringbuf_reserve, H.ringbuf_query, H.ringbuf_reserve_dynptr, H.ringbuf_submit_dynptr, H.ringbuf_discard_dynptr].map(
    (h) => [h, new Set([M.RINGBUF])] as const),
  [H.user_ringbuf_drain, new Set([M.USER_RINGBUF])],
  [H.get_stackid, new Set([M.STACK_TRACE])],
  [H.current_task_under_cgroup, new Set([M.CGROUP_ARRAY])],
  [H.skb_under_cgroup, new Set([M.CGROUP_ARRAY])],
  [H.redirect_map, new Set([M.DEVMAP, M.DEVMAP_HASH, M.CPUMAP, M.XSKMAP])],
  ...[H.sk_redirect_map, H.msg_redirect_map, H.sock_map_update].map((h) => [h, new Set([M.SOCKMAP])] as const),
  ...[H.sk_redirect_hash, H.msg_redirect_hash, H.sock_hash_update].map((h) => [h, new Set([M.SOCKHASH])] as const),
  [H.get_local_storage, new Set([M.CGROUP_STORAGE, M.PERCPU_CGROUP_STORAGE])],
  [H.sk_select_reuseport, new Set([M.REUSEPORT_SOCKARRAY, M.SOCKMAP, M.SOCKHASH])],
  [H.map_pop_elem, new Set([M.QUEUE, M.STACK])],
  [H.map_peek_elem, new Set([M.QUEUE, M.STACK, M.BLOOM_FILTER])],
  [H.map_push_elem, new Set([M.QUEUE, M.STACK, M.BLOOM_FILTER])],
  [H.map_lookup_percpu_elem, new Set([M.PERCPU_ARRAY, M.PERCPU_HASH, M.LRU_PERCPU_HASH])],
  [H.sk_storage_get, new Set([M.SK_STORAGE])],
  [H.sk_storage_delete, new Set([M.SK_STORAGE])],
  [H.inode_storage_get, new Set([M.INODE_STORAGE])],
  [H.inode_storage_delete, new Set([M.INODE_STORAGE])],
  [H.task_storage_get, new Set([M.TASK_STORAGE])],
  [H.task_storage_delete, new Set([M.TASK_STORAGE])],
  [H.cgrp_storage_get, new Set([M.CGRP_STORAGE])],
  [H.cgrp_storage_delete, new Set([M.CGRP_STORAGE])],
]);

/** Whether `helper` may be given `map`. */
export function mapFuncCompatible(map: MapInfo, helper: number): boolean {
  const allows = MAP_ALLOWS.get(map.type);
  if (allows && !allows.has(helper)) return false;
  const needs = HELPER_NEEDS.get(helper);
  return !needs || needs.has(map.type);
}

export function checkMapFuncCompatibility(env: Env, map: MapInfo | null, helper: number): void {
  if (!map) return;
  if (!mapFuncCompatible(map, helper)) {
    env.fail('EINVAL', `cannot pass map_type ${map.type} into func ${helperName(helper) ?? 'unknown'}#${helper}`);
  }
}
