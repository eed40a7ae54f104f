# Helpers take the context unmodified.
# prog_type: sched_cls
# expect: reject EACCES dereference of modified ctx ptr R1 off=4 disallowed
r1 += 4
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_skb_load_bytes
r0 = 0
exit
