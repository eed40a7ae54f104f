# Releasing needs a dynptr holding a reference; uninitialized stack holds none.
# expect: reject EINVAL arg 1 is an unacquired reference
r1 = r10
r1 += -16
r2 = 0
call bpf_ringbuf_discard_dynptr
r0 = 2
exit
