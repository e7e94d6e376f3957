# shellcheck shell=bash
# Bounded waiting. Every wait of the test goes through poll, which is bounded both in time (a
# deadline on the clock) and in count (so a slow CMD cannot stretch it much past SECS).

now_ms() { date +%s%3N; }

# poll SECS CMD...: runs CMD every 0.1 s until it succeeds (returns 0) or SECS have passed
# (returns 1).
poll() {
    local secs=$1 deadline i
    shift
    deadline=$(($(now_ms) + secs * 1000))
    for ((i = 0; i <= secs * 10; i++)); do
        "$@" && return 0
        (($(now_ms) < deadline)) || return 1
        sleep 0.1
    done
    return 1
}

gone() { ! kill -0 "$1" 2>/dev/null; }
