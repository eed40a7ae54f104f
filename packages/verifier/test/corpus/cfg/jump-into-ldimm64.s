# A jump may not land in the second slot of a 64-bit immediate load.
# expect: reject EINVAL jump into the middle of ldimm64 insn 2
r0 = 0
if r0 == 0 goto +1
r0 = 0x100000000 ll
exit
