package dev.latchkey.daemon.store.command;

import dev.latchkey.protocol.TokenVariables;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The environment a token command runs in: latchkey's own, cut down to what a password manager's
 * command line needs to find its vault, its agent and the user. Everything else goes, latchkey's
 * secrets first: the encrypted store's passphrase variable and cargo's token variables, which a
 * command has no use for and which would otherwise sit in its {@code /proc/PID/environ} and in
 * that of everything it starts.
 */
final class CommandEnvironment {
    /**
     * Kept by name. PATH: to find the program and what it runs in turn (gpg, pinentry). HOME, USER,
     * LOGNAME: whose vault, and where its configuration lives. LANG, LANGUAGE: its messages in the
     * user's language. TERM: a curses pinentry. DISPLAY, WAYLAND_DISPLAY: a graphical pinentry or
     * unlock prompt. DBUS_SESSION_BUS_ADDRESS: the desktop keyring and its prompts. SSH_AUTH_SOCK:
     * tools that decrypt or sign with keys in ssh-agent. GNUPGHOME, GPG_TTY, GPG_AGENT_INFO: pass
     * and gopass decrypt with gpg, which finds its keys, terminal and agent through them. TMPDIR:
     * where it may write. BW_SESSION: the unlocked session of Bitwarden's {@code bw}, without which
     * it would ask for the master password on a stdin that is {@code /dev/null}. The proxy variables,
     * SSL_CERT_FILE, SSL_CERT_DIR and NODE_EXTRA_CA_CERTS ({@code bw} runs on Node): a command that
     * reaches its vault over the network ({@code op}, {@code bw}) goes through the user's proxy and
     * trusts the user's certificate authorities.
     */
    private static final Set<String> NAMES = Set.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TERM", "DISPLAY",
            "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK", "GNUPGHOME", "GPG_TTY", "GPG_AGENT_INFO", "TMPDIR",
            "BW_SESSION", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "no_proxy",
            "all_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS");

    /**
     * Kept by prefix. LC_: the rest of the locale. XDG_: where its configuration, data and runtime
     * sockets (gpg-agent's among them) are. PASSWORD_STORE_: pass's own settings (its directory,
     * its gpg options). OP_: 1Password's {@code op}, whose session and account are set there.
     */
    private static final List<String> PREFIXES = List.of("LC_", "XDG_", "PASSWORD_STORE_", "OP_");

    private CommandEnvironment() {
    }

    /**
     * Cuts {@code environment} (a child's, to be changed in place) down to what is kept, and takes
     * out {@code passphraseVariable} and every token variable even where a name or prefix kept would
     * have let one through.
     */
    static void scrub(Map<String, String> environment, String passphraseVariable) {
        environment.keySet().removeIf(name -> !kept(name) || name.equals(passphraseVariable) || TokenVariables.isTokenVariable(name));
    }

    private static boolean kept(String name) {
        if (NAMES.contains(name)) {
            return true;
        }
        for (String prefix : PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
