# Scalar fields allow narrow loads.
# prog_type: sched_cls
# log_level: 2
# expect: accept
r0 = *(u8 *)(r1 + 0)
r2 = *(u16 *)(r1 + 2)
r0 += r2
exit
