# A tail call never returns: held references would leak.
# map: 1 ringbuf key=0 value=0 entries=4096
# map: 2 prog_array key=4 value=4 entries=4
# expect: reject EINVAL Unreleased reference id=2 alloc_insn=5
r6 = r1
ld_pseudo r1, 1, 1
r2 = 8
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r7 = r0
r1 = r6
ld_pseudo r2, 1, 2
r3 = 0
call bpf_tail_call
r1 = r7
r2 = 0
call bpf_ringbuf_discard
out:
r0 = 2
exit
