# A helper returning void leaves r0 unreadable.
# prog_type: sched_cls
# map: 1 array key=4 value=8 entries=1 spin_lock=0
# expect: reject EACCES R0 !read_ok
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 1, 1
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r0
call bpf_spin_lock
r1 = r6
call bpf_spin_unlock
exit
out:
r0 = 0
exit
