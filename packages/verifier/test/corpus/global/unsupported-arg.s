# A struct passed by value is not a supported argument of a global function.
# func: 0 main global int ptr:STRUCT:xdp_md
# func: 4 f global int struct
# expect: reject EINVAL Caller passes invalid args into func#1 ('f')
r1 = 1
call f
r0 = 2
exit
f:
r0 = 0
exit
