#!/bin/sh
# SPDX-License-Identifier: MIT
# expect_exit.sh RC TEXT CMD [ARG...]: CMD must exit with status RC and
# print TEXT (a fixed string) on stdout or stderr.
want=$1
text=$2
shift 2
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" = "$want" ] || { echo "exit status $rc, expected $want"; exit 1; }
printf '%s\n' "$out" | grep -qF -- "$text" || { echo "missing: $text"; exit 1; }
