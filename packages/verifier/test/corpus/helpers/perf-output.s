# map: 1 perf_event_array key=4 value=4 entries=4
# expect: accept
*(u64 *)(r10 - 8) = 0
ld_pseudo r2, 1, 1
r3 = 0xffffffff ll
r4 = r10
r4 += -8
r5 = 8
call bpf_perf_event_output
r0 = 0
exit
