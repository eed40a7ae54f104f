# Loops need CAP_BPF.
# prog_type: socket_filter
# privileges: none
# expect: reject EINVAL back-edge from insn 2 to 1
r0 = 0
loop:
r0 += 1
if r0 < 10 goto loop
exit
