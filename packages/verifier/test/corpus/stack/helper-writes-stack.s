# A helper's output buffer is unknown bytes afterwards, even where a pointer was spilled.
# prog_type: kprobe
# expect: reject EACCES R1 invalid mem access 'scalar'
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_probe_read_kernel
r1 = *(u64 *)(r10 - 8)
r0 = *(u64 *)(r1 + 0)
exit
