# A reserved record must be submitted or discarded on every path.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EINVAL Unreleased reference id=2 alloc_insn=4
ld_pseudo r1, 1, 1
r2 = 8
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
*(u64 *)(r0 + 0) = 1
out:
r0 = 2
exit
