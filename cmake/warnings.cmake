# SPDX-License-Identifier: MIT
# Warning set of house style §6.8; -Werror only when asked (CI, dev).
add_compile_options(-Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual
  -Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes
  -Wold-style-definition -Wundef -Wformat=2 -Wvla -Wimplicit-fallthrough)
if(PPCVIRT_WERROR)
  add_compile_options(-Werror)
endif()
