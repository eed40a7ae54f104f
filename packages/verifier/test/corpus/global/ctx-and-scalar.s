# A global function is verified once on its own: its context pointer and its scalar come from the
# BTF prototype; the call site checks the arguments and gets an unknown scalar back.
# prog_type: sched_cls
# func: 0 main global int ptr:STRUCT:__sk_buff
# func: 4 len_plus global int ptr:STRUCT:__sk_buff int
# log_level: 2
# expect: accept
r2 = 7
call len_plus
r0 = 0
exit
len_plus:
r0 = *(u32 *)(r1 + 0)
r0 += r2
exit
