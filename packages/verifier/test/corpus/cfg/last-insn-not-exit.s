# Falling off the end of the program.
# expect: reject EINVAL last insn is not an exit or jmp
r0 = 0
