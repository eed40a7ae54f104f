# A loop too long for the 1,000,000 processed instruction budget.
# log_level: 0
# expect: reject E2BIG BPF program is too large. Processed 1000001 insn
r0 = 0
loop:
r0 += 1
if r0 < 10000000 goto loop
exit
