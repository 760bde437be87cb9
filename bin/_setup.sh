# Shared set-up steps for bin/demo and bin/test (sourced, not run).

ensure_debian_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing Debian packages: ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

ensure_venv() {
    local requirements="$1"
    [ -x .venv/bin/python ] || python3 -m venv .venv
    # Reinstall only when the requirement files changed.
    local stamp=.venv/.requirements.sha
    local sum
    sum=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)-$requirements
    if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
        echo "Installing Python packages from $requirements"
        .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
        echo "$sum" > "$stamp"
    fi
}

ensure_mariadb() {
    if mysqladmin -uroot -h127.0.0.1 --connect-timeout=2 ping >/dev/null 2>&1; then
        return
    fi
    echo "Starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd 2>/dev/null \
        || (mariadbd --user=mysql >/dev/null 2>&1 &)
    for _ in $(seq 1 60); do
        mysqladmin -uroot -h127.0.0.1 --connect-timeout=2 ping >/dev/null 2>&1 && return
        sleep 1
    done
    echo "MariaDB did not start on 127.0.0.1:3306" >&2
    exit 1
}

ensure_native() {
    # The import's native fast path (importer/parser/_scan.c, docs/import.md), built beside its
    # source when missing or older than it. Without Python's headers or a C compiler the import
    # runs on its pure Python path; bin/test requires the native one (its tests compare the two).
    local include
    include=$(.venv/bin/python -c "import sysconfig; print(sysconfig.get_paths()['include'])")
    [ -f "$include/Python.h" ] || ensure_debian_packages python3-dev
    .venv/bin/python importer/parser/build_native.py
}
