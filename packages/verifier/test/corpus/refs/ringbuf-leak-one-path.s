# Released on one path only.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EINVAL Unreleased reference id=2 alloc_insn=5
r6 = *(u32 *)(r1 + 12)
ld_pseudo r1, 1, 1
r2 = 8
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
if r6 == 1 goto out
r1 = r0
r2 = 0
call bpf_ringbuf_discard
out:
r0 = 2
exit
