# Independent branches: pruning keeps the paths from doubling at each diamond.
# log_level: 0
# expect: accept
r6 = *(u32 *)(r1 + 12)
r7 = 0
if r6 & 1 goto a1
r7 = 1
a1:
if r6 & 2 goto a2
r8 = 2
a2:
if r6 & 4 goto a3
r8 = 3
a3:
if r6 & 8 goto a4
r8 = 4
a4:
if r6 & 16 goto a5
r8 = 5
a5:
if r6 & 32 goto a6
r8 = 6
a6:
if r6 & 64 goto a7
r8 = 7
a7:
if r6 & 128 goto a8
r8 = 8
a8:
r0 = r7
exit
