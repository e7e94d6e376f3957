#!/usr/bin/env bash
# Writes a minimal TLS ClientHello with the server name $1 to stdout: TLS 1.2 record framing,
# offering TLS 1.3 and 1.2 suites, with server_name and supported_versions extensions.
# Enough for an SNI proxy's decision; not enough to finish a handshake.
#   client-hello.sh NAME | ...
set -euo pipefail
name=${1:?usage: client-hello.sh NAME}
hex() { printf '%0*x' $(($2 * 2)) "$1"; } # hex VALUE NBYTES
n=${#name}
namehex=$(printf '%s' "$name" | od -An -tx1 | tr -d ' \n')
ext="0000$(hex $((n + 5)) 2)$(hex $((n + 3)) 2)00$(hex "$n" 2)$namehex" # server_name
ext+="002b00050403040303"                                                # supported_versions
body="0303$(printf '5a%.0s' {1..32})00""0004""1301c02f""0100$(hex $((${#ext} / 2)) 2)$ext"
hs="01$(hex $((${#body} / 2)) 3)$body"
printf '%b' "$(printf '160301%s%s' "$(hex $((${#hs} / 2)) 2)" "$hs" | sed 's/../\\x&/g')"
