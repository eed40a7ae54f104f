# Atomic read-modify-write on the stack, 64 and 32 bits.
r2 = 10
*(u64 *)(r10 - 8) = r2
r3 = 5
lock *(u64 *)(r10 - 8) += r3
r3 = atomic_fetch_or((u64 *)(r10 - 8), r3)
r0 = 15
r4 = 1
r0 = cmpxchg_64(r10 - 8, r0, r4)
w5 = 7
w5 = xchg32_32(r10 - 8, w5)
r0 = load_acquire((u64 *)(r10 - 8))
exit
