# A perf event array holds perf events, not values a program may see.
# map: 1 perf_event_array key=4 value=4 entries=4
# expect: reject EINVAL cannot pass map_type 4 into func bpf_map_lookup_elem#1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
r0 = 0
exit
