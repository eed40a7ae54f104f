# Submitting without the NULL check.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EACCES R1 type=ringbuf_mem_or_null expected=ringbuf_mem
ld_pseudo r1, 1, 1
r2 = 8
r3 = 0
call bpf_ringbuf_reserve
r1 = r0
r2 = 0
call bpf_ringbuf_submit
r0 = 2
exit
