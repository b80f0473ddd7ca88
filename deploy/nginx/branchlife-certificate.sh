#!/bin/sh
# Runs in the nginx container before nginx starts (the image's /docker-entrypoint.d/ hook; see
# docker-compose.yml). Links /etc/nginx/tls/{fullchain,privkey}.pem to the certificate mounted at
# /etc/nginx/certs if there is one; otherwise to a self-signed one made at the first start and kept in the
# `tls-selfsigned` volume, so that HTTPS works (with a browser warning) until a real certificate is mounted.
set -eu
real=${TLS_CERT_DIR:-/etc/nginx/certs}
own=${TLS_SELF_SIGNED_DIR:-/etc/nginx/selfsigned}
live=${TLS_LIVE_DIR:-/etc/nginx/tls}
name=${TLS_SELF_SIGNED_NAME:-localhost}

mkdir -p "$live"
if [ -s "$real/fullchain.pem" ] && [ -s "$real/privkey.pem" ]; then
  source_dir=$real
  echo "branchlife-certificate: using the certificate in $real"
else
  source_dir=$own
  if [ ! -s "$own/fullchain.pem" ] || [ ! -s "$own/privkey.pem" ]; then
    if ! command -v openssl >/dev/null 2>&1; then
      echo "branchlife-certificate: no certificate in $real and no openssl to make a self-signed one" >&2
      exit 1
    fi
    mkdir -p "$own"
    umask 077
    openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 825 -subj "/CN=$name" \
      -addext "subjectAltName=DNS:$name" -keyout "$own/privkey.pem" -out "$own/fullchain.pem" 2>/dev/null
    echo "branchlife-certificate: made a self-signed certificate for $name in $own (mount a real one at $real)"
  else
    echo "branchlife-certificate: no certificate in $real; using the self-signed one in $own"
  fi
fi
ln -sf "$source_dir/fullchain.pem" "$live/fullchain.pem"
ln -sf "$source_dir/privkey.pem" "$live/privkey.pem"
