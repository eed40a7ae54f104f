# Writable raw tracepoints are tracing programs too: no map with a timer.
# prog_type: raw_tracepoint_writable
# map: 1 array key=4 value=24 entries=1 timer=8 btf name=timers
# expect: reject EINVAL tracing progs cannot use bpf_timer yet
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r6
r1 += 8
ld_pseudo r2, 1, 1
r3 = 1
call bpf_timer_init
r1 = r6
r1 += 8
ld_pseudo r2, 4, cb
call bpf_timer_set_callback
r1 = r6
r1 += 8
r2 = 1000
r3 = 0
call bpf_timer_start
out:
r0 = 0
exit
cb:
r0 = *(u32 *)(r2 + 0)
r0 = *(u64 *)(r3 + 0)
r0 = 0
exit
