# Shift amounts must be below the width.
# expect: reject EINVAL invalid shift 64
r0 = 1
r0 <<= 64
exit
