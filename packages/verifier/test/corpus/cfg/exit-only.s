# The smallest valid program.
# expect: accept
r0 = 0
exit
