# bpf_ringbuf_output copies from the stack: no reference.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: accept
*(u64 *)(r10 - 8) = 42
ld_pseudo r1, 1, 1
r2 = r10
r2 += -8
r3 = 8
r4 = 0
call bpf_ringbuf_output
r0 = 2
exit
