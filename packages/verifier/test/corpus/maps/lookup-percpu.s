# bpf_map_lookup_percpu_elem takes per-CPU maps only.
# map: 1 hash key=4 value=8 entries=4
# expect: reject EINVAL cannot pass map_type 1 into func bpf_map_lookup_percpu_elem#195
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
r3 = 0
call bpf_map_lookup_percpu_elem
r0 = 0
exit
