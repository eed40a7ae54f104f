# Immediate stores into the context are allowed (Linux 6.5).
# prog_type: sched_cls
# expect: accept
*(u32 *)(r1 + 8) = 1
r0 = 0
exit
