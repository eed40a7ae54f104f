# A global function returns a scalar, never a pointer.
# func: 0 main global int ptr:STRUCT:xdp_md
# func: 4 f global int int
# expect: reject EINVAL At subprogram exit the register R0 is not a scalar value (fp)
r1 = 1
call f
r0 = 2
exit
f:
r0 = r10
exit
