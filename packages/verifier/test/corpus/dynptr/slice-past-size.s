# The slice bpf_dynptr_data returns is as large as asked: 8 bytes here.
# map: 1 ringbuf key=0 value=0 entries=4096
# expect: reject EACCES invalid access to memory, mem_size=8 off=8 size=8
ld_pseudo r1, 1, 1
r2 = 16
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = 0
r3 = 8
call bpf_dynptr_data
if r0 == 0 goto submit
*(u64 *)(r0 + 8) = 1
submit:
r1 = r10
r1 += -16
r2 = 0
call bpf_ringbuf_submit_dynptr
r0 = 2
exit
