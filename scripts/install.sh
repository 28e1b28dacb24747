#!/usr/bin/env bash
# Installs latchkey for the current user:
#  - the launcher on PATH: ~/.local/bin/latchkey, a symlink to scripts/latchkey (which builds the
#    program on first use), so cargo's `credential-provider = ["latchkey"]` and the client library find it;
#  - ~/.local/bin/git-credential-latchkey, the name git runs for `credential.helper = latchkey`, and
#    ~/.local/bin/docker-credential-latchkey, the name docker, skopeo and podman run a credential
#    helper by, symlinks to the same launcher;
#  - with --as-keyring, ~/.local/bin/keyring, the command pip's --keyring-provider subprocess and uv
#    run: it takes the name of python-keyring's own command, so only when asked, and never over a
#    file of that name that is not already latchkey's;
#  - on Linux with systemd, the user units of native-config/systemd (socket activation: systemd
#    listens on the daemon's socket and starts the daemon on the first connection);
#  - on macOS, the launchd agent of native-config/launchd.
# It starts nothing unless given --enable, and then checks that what it started is running.
# It never edits cargo's config: it checks which `latchkey` PATH finds, and ends by printing the
# exact lines that make cargo use latchkey (cargo says only "failed to spawn credential process"
# when it cannot find the program it names).
set -euo pipefail
root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)

enable=no
as_keyring=no
for option in "$@"; do
    case "$option" in
        --enable) enable=yes ;;
        --as-keyring) as_keyring=yes ;;
        *) echo "usage: scripts/install.sh [--enable] [--as-keyring]" >&2; exit 2 ;;
    esac
done

bin="$HOME/.local/bin"
mkdir -p "$bin"
ln -sfn "$root/scripts/latchkey" "$bin/latchkey"
echo "installed $bin/latchkey -> $root/scripts/latchkey"
ln -sfn "$root/scripts/latchkey" "$bin/git-credential-latchkey"
echo "installed $bin/git-credential-latchkey -> $root/scripts/latchkey (git: git config --global credential.helper latchkey)"
ln -sfn "$root/scripts/latchkey" "$bin/docker-credential-latchkey"
echo "installed $bin/docker-credential-latchkey -> $root/scripts/latchkey (docker: \"credHelpers\" or \"credsStore\": \"latchkey\")"
if [ "$as_keyring" = yes ]; then
    if [ -e "$bin/keyring" ] || [ -L "$bin/keyring" ]; then
        if [ "$(readlink -f -- "$bin/keyring")" != "$root/scripts/latchkey" ]; then
            echo "install.sh: $bin/keyring is there and is not latchkey's (python-keyring's own command?); move it away first" >&2
            exit 1
        fi
    fi
    ln -sfn "$root/scripts/latchkey" "$bin/keyring"
    echo "installed $bin/keyring -> $root/scripts/latchkey (pip: --keyring-provider subprocess)"
    found=$(command -v keyring || :)
    if [ -n "$found" ] && [ "$(readlink -f -- "$found")" != "$root/scripts/latchkey" ]; then
        echo "note: the \`keyring\` pip would run is $found, not latchkey's: put $bin ahead of it on PATH"
    fi
fi

# What cargo will run for `latchkey`: the first one on PATH, which must be this one.
found=$(type -P latchkey || :)
provider=latchkey
if [ -n "$found" ] && [ "$(readlink -f -- "$found")" = "$(readlink -f -- "$bin/latchkey")" ]; then
    echo "latchkey on PATH: $found"
elif [ -n "$found" ]; then
    echo "note: \`latchkey\` on PATH is $found, not this one; put $bin before $(dirname -- "$found") on PATH, or remove $found"
    provider=$bin/latchkey
else
    echo "note: $bin is not on PATH; add it, e.g. in ~/.profile: . \"$root/native-config/shell/latchkey.sh\""
    provider=$bin/latchkey
fi

# The lines that make cargo use latchkey for every registry, printed last (the next thing to do).
cargo_next() {
    local config="${CARGO_HOME:-$HOME/.cargo}/config.toml" quoted
    quoted=${provider//\\/\\\\}
    quoted=\"${quoted//\"/\\\"}\"
    local line="global-credential-providers = [$quoted]"
    local why=
    [ "$provider" = latchkey ] || why=" (the launcher's full path, since PATH does not lead to it here; once it does, \"latchkey\" will do)"
    if [ -f "$config" ] && grep -Eq '^[[:space:]]*(registry\.)?global-credential-providers[[:space:]]*=.*latchkey' "$config"; then
        echo "cargo: $config names latchkey for every registry already; nothing to add"
    elif [ -f "$config" ] && grep -Eq '^[[:space:]]*(registry\.)?global-credential-providers[[:space:]]*=' "$config"; then
        echo "next, for cargo to ask latchkey for every registry's token: in $config, make this the"
        echo "global-credential-providers line of [registry]$why:"
        echo "  $line"
    elif [ -f "$config" ] && grep -Eq '^[[:space:]]*\[[[:space:]]*registry[[:space:]]*\][[:space:]]*(#.*)?$' "$config"; then
        echo "next, for cargo to ask latchkey for every registry's token: add this line under the [registry] table"
        echo "of $config$why:"
        echo "  $line"
    else
        echo "next, for cargo to ask latchkey for every registry's token: add these lines to $config$why:"
        echo "  [registry]"
        echo "  $line"
    fi
    if [ ! -f "$root/caller/target/latchkey.jar" ]; then
        echo "latchkey builds itself on its first run (a minute or two); \`$provider --version\` builds it now"
    fi
}

# The service manager's files, in a subshell: its `exit 0` ends only this part, so that the cargo
# step still comes last; a failure (status 1) ends the script.
(
case "$(uname -s)" in
Linux)
    if ! command -v systemctl >/dev/null 2>&1; then
        echo "no systemd here: start the daemon with \`latchkey daemon\` (it detaches), or let the client library start it"
        exit 0
    fi
    units="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user"
    mkdir -p "$units"
    install -m 0644 "$root/native-config/systemd/latchkey.socket" "$root/native-config/systemd/latchkey.service" "$units/"
    echo "installed latchkey.socket and latchkey.service in $units"
    if ! systemctl --user daemon-reload >/dev/null 2>&1; then
        echo "no systemd user manager answers here (no login session?); once logged in:"
        echo "  systemctl --user daemon-reload && systemctl --user enable --now latchkey.socket"
        [ "$enable" = no ] || { echo "install.sh: --enable needs a running systemd user manager" >&2; exit 1; }
        exit 0
    fi
    if [ "$enable" = no ]; then
        echo "to have systemd start the daemon on demand: systemctl --user enable --now latchkey.socket"
        exit 0
    fi
    systemctl --user enable --now latchkey.socket
    if ! systemctl --user is-active --quiet latchkey.socket; then
        echo "install.sh: latchkey.socket did not start; see \`systemctl --user status latchkey.socket\`" >&2
        exit 1
    fi
    echo "latchkey.socket is listening; the daemon starts on the first request"
    ;;
Darwin)
    agents="$HOME/Library/LaunchAgents"
    mkdir -p "$agents" "$HOME/Library/Logs"
    install -m 0644 "$root/native-config/launchd/dev.latchkey.daemon.plist" "$agents/"
    echo "installed the launchd agent $agents/dev.latchkey.daemon.plist"
    if [ "$enable" = no ]; then
        echo "to start it now and at every login: launchctl bootstrap gui/$(id -u) $agents/dev.latchkey.daemon.plist"
        exit 0
    fi
    launchctl bootstrap "gui/$(id -u)" "$agents/dev.latchkey.daemon.plist"
    if ! launchctl print "gui/$(id -u)/dev.latchkey.daemon" >/dev/null 2>&1; then
        echo "install.sh: the agent did not load; see ~/Library/Logs/latchkey.log" >&2
        exit 1
    fi
    echo "the latchkey agent is loaded; it logs to ~/Library/Logs/latchkey.log"
    ;;
*)
    echo "no service manager files for $(uname -s): start the daemon with \`latchkey daemon\`"
    ;;
esac
) || exit $?
cargo_next
