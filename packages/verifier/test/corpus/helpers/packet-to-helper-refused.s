# bpf_ringbuf_output does not take packet memory.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EACCES helper access to the packet is not allowed
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto out
ld_pseudo r1, 1, 1
r3 = 4
r4 = 0
call bpf_ringbuf_output
out:
r0 = 2
exit
