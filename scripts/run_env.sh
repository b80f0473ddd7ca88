# Sourced by scripts/run.sh (from the project's folder): how the local run is configured.
# DEBUG is off unless asked for (BRANCHLIFE_DEBUG=1, or DEBUG=True): a missing page or an error shows the
# product's own 404/500 pages, not Django's technical ones, and static files are collected and served by
# WhiteNoise as in production. Plain HTTP on this machine: no HTTPS redirect, no Secure-only cookies, no HSTS.
if [ "${BRANCHLIFE_DEBUG:-0}" = 1 ]; then export DEBUG=True; else export DEBUG="${DEBUG:-False}"; fi
if [ "$DEBUG" != True ]; then
  # A secret key made once for this checkout and kept in a local file (.gitignore'd), never a default one.
  if [ -z "${SECRET_KEY:-}" ] && [ -z "${SECRET_KEY_FILE:-}" ]; then
    if [ ! -s .secret_key ]; then
      (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n' > .secret_key)
    fi
    export SECRET_KEY_FILE="$PWD/.secret_key"
  fi
  export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
  export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-False}"
  export SECURE_COOKIES="${SECURE_COOKIES:-False}"
  export SECURE_HSTS_SECONDS="${SECURE_HSTS_SECONDS:-0}"
fi
