# A global function may not be called with a spin lock held.
# prog_type: sched_cls
# map: 1 array key=4 value=16 entries=1 spin_lock=0
# func: 0 main global int ptr:STRUCT:__sk_buff
# func: 16 f global int int
# expect: reject EINVAL global function calls are not allowed while holding a lock
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r6
call bpf_spin_lock
r1 = 1
call f
r1 = r6
call bpf_spin_unlock
out:
r0 = 0
exit
f:
r0 = 0
exit
