# A ringbuf dynptr holds a reference: exiting without submitting or discarding it leaks it.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EINVAL Unreleased reference id=1 alloc_insn=6
ld_pseudo r1, 1, 1
r2 = 16
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r0 = 2
exit
