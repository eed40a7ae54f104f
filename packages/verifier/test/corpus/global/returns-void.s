# A global function returning void need not set r0; the caller still gets an unknown scalar.
# func: 0 main global int ptr:STRUCT:xdp_md
# func: 4 nothing global void int
# log_level: 2
# expect: accept
r1 = 1
call nothing
r0 = 2
exit
nothing:
r1 += 1
exit
