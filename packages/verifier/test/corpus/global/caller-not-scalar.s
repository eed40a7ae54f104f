# An int parameter takes a scalar only.
# func: 0 main global int ptr:STRUCT:xdp_md
# func: 4 twice global int int
# expect: reject EINVAL Caller passes invalid args into func#1 ('twice')
r1 = r10
call twice
r0 = 2
exit
twice:
r0 = r1
r0 *= 2
exit
