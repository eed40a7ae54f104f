# prog_type: kprobe
# expect: reject EACCES R2 unbounded memory access, use 'var &= const' or 'if (var < const)'
r2 = *(u32 *)(r1 + 0)
r3 = *(u64 *)(r1 + 8)
r1 = r10
r1 += -16
call bpf_probe_read_kernel
r0 = 0
exit
