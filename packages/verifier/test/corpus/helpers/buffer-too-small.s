# The buffer must hold the size passed.
# prog_type: sched_cls
# expect: reject EACCES invalid write to stack R3 off=-8 size=16
r2 = 0
r3 = r10
r3 += -8
r4 = 16
call bpf_skb_load_bytes
r0 = 0
exit
