# shellcheck shell=bash
# The test CA and its server certificates, made with the openssl command line. A private
# config file keeps the result independent of the machine's openssl.cnf.

# make_pki DIR NAME...: DIR/ca.pem (+ ca.key) and, per NAME, DIR/NAME.pem + DIR/NAME.key, a
# serverAuth leaf for that DNS name signed by the CA. EC P-256, valid two days.
make_pki() {
    local dir=$1 name
    shift
    mkdir -p "$dir"
    cat > "$dir/openssl.cnf" <<'CNF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:${ENV::LEAF_NAME}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
    export LEAF_NAME=unused
    openssl req -x509 -new -config "$dir/openssl.cnf" -extensions ca \
        -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 2 -subj "/O=lnm test/CN=lnm Purdue test CA" \
        2>"$dir/openssl.log"
    for name in "$@"; do
        openssl req -new -config "$dir/openssl.cnf" \
            -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/O=lnm test/CN=$name" \
            2>>"$dir/openssl.log"
        LEAF_NAME=$name openssl x509 -req -in "$dir/$name.csr" \
            -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
            -days 2 -extfile "$dir/openssl.cnf" -extensions leaf -out "$dir/$name.pem" \
            2>>"$dir/openssl.log"
        openssl verify -CAfile "$dir/ca.pem" "$dir/$name.pem" >/dev/null
    done
}
