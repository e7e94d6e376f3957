# sed -E script for the lnm.properties the Debian package ships: every listener that binds all
# IPv4 addresses (0.0.0.0:PORT or a bare PORT) binds 127.0.0.1 instead, so the service the
# package starts at once exposes nothing until the operator names the plant-side address.
# Commented-out examples stay as they are.
s/^([[:space:]]*(listen\.[A-Za-z0-9_-]+|dns\.listen|fleet\.listen)[[:space:]]*[=:][[:space:]]*)(0\.0\.0\.0:)?([0-9]+)[[:space:]]*$/\1127.0.0.1:\4/
