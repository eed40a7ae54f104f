# Subprograms start at call targets; each ends in exit.
# expect: accept
call f
exit
f:
r0 = 0
exit
