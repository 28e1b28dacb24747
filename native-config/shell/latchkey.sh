# latchkey for POSIX shells (sh, dash, bash, zsh): source it from ~/.profile (or ~/.bashrc,
# ~/.zshrc), for example `. ~/path/to/latchkey/native-config/shell/latchkey.sh`.
#
# It puts ~/.local/bin, where scripts/install.sh links the launcher, on PATH, so that cargo's
# `credential-provider = ["latchkey"]` and the client library find `latchkey`. It starts no
# daemon: the systemd socket, the launchd agent, `latchkey daemon` or the client library does.
case ":${PATH:-}:" in
    *":$HOME/.local/bin:"*) ;;
    *) PATH="$HOME/.local/bin${PATH:+:$PATH}"; export PATH ;;
esac

# Uncomment for diagnostics on stderr from every latchkey process, cargo's provider included
# (cargo passes no -v to it): who served each request, with which config, and why.
# export LATCHKEY_LOG=1
