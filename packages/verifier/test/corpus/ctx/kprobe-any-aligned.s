# Tracing contexts allow any aligned read.
# prog_type: kprobe
# expect: accept
r0 = *(u64 *)(r1 + 8)
r2 = *(u32 *)(r1 + 4)
r0 += r2
exit
