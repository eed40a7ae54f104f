# bpf_dynptr_read needs an initialized dynptr as its third argument.
# expect: reject EINVAL Expected an initialized dynptr as arg #3
r1 = r10
r1 += -32
r2 = 8
r3 = r10
r3 += -16
r4 = 0
r5 = 0
call bpf_dynptr_read
r0 = 2
exit
