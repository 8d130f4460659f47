#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Only root is served: the abstract socket has no file permissions, so SO_PEERCRED is the
# gate. A refused client is told why and the daemon logs it.
. "$(dirname "$0")/lib.sh"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
daemon_start

# The client must be executable by nobody wherever the build tree lives.
pub=$(mktemp -d /tmp/etmem-e2e-pub.XXXXXX)
chmod 755 "$pub"
cp "$ETMEM" "$pub/etmem"
cp "$RAWSOCK" "$pub/rawsock"
chmod 755 "$pub/etmem" "$pub/rawsock"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

expect 186 "a non-root client is refused" as_nobody "$pub/etmem" project show -s "$DSOCK"
expect_err "error: permission denied: etmemd serves only root, and this client runs as uid 65534" "... and told why"
expect_err_lines 1 "... in one line"
check "... and the daemon logs it" grep -q "refused project show from pid .*: uid 65534 is not root" "$DLOG"
expect 186 "a non-root obj add is refused the same way" as_nobody "$pub/etmem" obj add -f /etc/passwd -s "$DSOCK"
check "... without touching the file" sh -c "! grep -q '/etc/passwd' '$DLOG' || grep -q 'refused obj add' '$DLOG'"
# The refusal comes before etmemd takes in a long request; the client still shows it.
expect 186 "a non-root request of 700 bytes is refused the same way" \
    as_nobody "$pub/etmem" obj add -f "/tmp/$(printf '%0690d' 0).yaml" -s "$DSOCK"
expect_err "error: permission denied: etmemd serves only root" "... and told why"

# "root" in a user namespace of its own is still uid 65534 to the daemon.
if as_nobody unshare -U -r true 2>/dev/null; then
    expect 186 "root inside another user namespace is refused" as_nobody unshare -U -r "$pub/etmem" project show -s "$DSOCK"
    expect_err "permission denied" "... and told why"
else
    echo "# unprivileged user namespaces are off here; that case is not tried"
fi

# A legacy (original etmem) request from a non-root peer: told why, with its terminator.
run as_nobody "$pub/rawsock" "$DSOCK" -l
case "$OUT" in
*"permission denied"*'\xfe') ok "a non-root original client is refused in its own protocol (0xfe)" ;;
*) not_ok "a non-root original client is refused in its own protocol" ;;
esac
expect 0 "root is still served" "$ETMEM" project show -s "$DSOCK"
rm -rf "$pub"
finish
