# map: 1 hash key=4 value=8 entries=4
# expect: reject EINVAL cannot pass map_type 1 into func bpf_perf_event_output#25
*(u64 *)(r10 - 8) = 0
ld_pseudo r2, 1, 1
r3 = 0
r4 = r10
r4 += -8
r5 = 8
call bpf_perf_event_output
r0 = 0
exit
