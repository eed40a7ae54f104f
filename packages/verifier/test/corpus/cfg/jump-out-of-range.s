# A jump beyond the program.
# expect: reject EINVAL jump out of range from insn 0 to 5
goto +4
r0 = 0
exit
