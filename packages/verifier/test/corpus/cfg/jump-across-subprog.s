# A jump may not leave its subprogram.
# expect: reject EINVAL jump out of range from insn 1 to 4
call f
goto +2
exit
f:
r0 = 0
exit
