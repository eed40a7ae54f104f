# ARG_CONST_SIZE needs at least one byte.
# prog_type: sched_cls
# expect: reject EACCES R4 invalid zero-sized read: u64=[0,0]
r2 = 0
r3 = r10
r3 += -8
r4 = 0
call bpf_skb_load_bytes
r0 = 0
exit
