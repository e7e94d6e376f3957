# sed -E script: a relative audit.file in lnm.properties goes to /var/log/lnm, the service's
# LogsDirectory= (the service cannot write /etc/lnm). Used by install.sh and the Debian package.
s|^([[:space:]]*audit\.file[[:space:]]*[=:][[:space:]]*)([^/[:space:]][^[:space:]]*)[[:space:]]*$|\1/var/log/lnm/\2|
