# A loop whose state never changes.
# expect: reject EINVAL infinite loop detected at insn 1
r0 = 0
loop:
r1 = 1
r2 = 2
goto loop
