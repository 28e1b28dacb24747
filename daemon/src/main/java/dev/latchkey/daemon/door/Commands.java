package dev.latchkey.daemon.door;

import dev.latchkey.daemon.door.CommandSpec.Completion;
import dev.latchkey.daemon.door.CommandSpec.Example;
import dev.latchkey.daemon.door.CommandSpec.Option;

import java.util.List;

import static dev.latchkey.daemon.door.CommandSpec.Option.flag;
import static dev.latchkey.daemon.door.CommandSpec.Option.valued;

/**
 * The {@code latchkey} program's commands, the one definition of its command line: {@link Arguments}
 * accepts only what is declared here, and {@code --help}, the man page {@code latchkey(1)} and the
 * bash, zsh and fish completions are made from it ({@code door.cli.CliReference}).
 */
public final class Commands {
    private Commands() {
    }

    /** Options every command takes, before or after its word. */
    public static final List<Option> GLOBAL = List.of(
            valued("--config", "PATH", Completion.FILE, "use the config file PATH (also LATCHKEY_CONFIG) instead of "
                    + "$XDG_CONFIG_HOME/latchkey/config.toml"),
            valued("--socket", "PATH", Completion.FILE, "the daemon's socket (also LATCHKEY_SOCKET) instead of "
                    + "$XDG_RUNTIME_DIR/latchkey/daemon.sock"),
            flag("--no-daemon", "serve in this process even when a daemon runs (also LATCHKEY_NO_DAEMON=1)"),
            flag("-v", "say on stderr where each request is served and why (also LATCHKEY_LOG=1)"));

    private static final String REGISTRY_IS = "REGISTRY is a registry's name (crates-io, or one bound in latchkey's or cargo's "
            + "config) or its index URL (anything containing ://), as cargo sends it.";

    private static final Option STORE_TO_WRITE = valued("--store", "NAME", Completion.STORE,
            "keep it in the store NAME instead of the registry's configured store or the first writable one");
    private static final Option EXPIRES_IN = valued("--expires-in", "DURATION", Completion.NOTHING,
            "the token expires after DURATION (30d, 12h, 90m); latchkey never hands it out after that");
    private static final Option OPERATIONS = valued("--operations", "OP,...", Completion.OPERATIONS,
            "the token serves only these operations (read, publish, yank, unyank, owners); default: all");
    private static final Option JSON = flag("--json", "print JSON (the latchkey protocol's answer) instead of a table");
    private static final String LOGIN_IS = "With --login URL instead of REGISTRY, a login (git's): URL as `latchkey list` shows it, "
            + "SCHEME://USER@HOST[:PORT][/PATH], naming exactly that login; a user name holding / is written with %2F.";

    private static CommandSpec command(String name, String arguments, String summary, List<String> description,
                                       List<Option> options, List<Example> examples) {
        return new CommandSpec(name, arguments, summary, description, options, examples, Completion.NOTHING, List.of());
    }

    public static final List<CommandSpec> ALL = List.of(
            command("get", "REGISTRY", "print the token for REGISTRY",
                    List.of("Prints the registry's token and a newline on stdout, and nothing else. latchkey looks in the "
                                    + "registry's configured stores, else in the lookup order, then in every store it put a "
                                    + "token of that registry in, then in the daemon's memory: a token it acknowledged is found.",
                            REGISTRY_IS),
                    List.of(valued("--operation", "OP", Completion.OPERATION,
                                    "the operation the token is for (read, publish, yank, unyank, owners); default read"),
                            valued("--store", "NAME", Completion.STORE, "look only in the store NAME"),
                            valued("--for-command", "NAME", Completion.NOTHING,
                                    "record in the audit log that the token is for the program NAME")),
                    List.of(new Example("latchkey get crates-io", "print crates.io's token"),
                            new Example("latchkey get company --operation publish", "the token company's registry takes for a publish"))),
            command("store", "REGISTRY", "store a token for REGISTRY, read from stdin",
                    List.of("Reads the token from stdin, never from the command line, where other users can see it; on a "
                                    + "terminal it prompts without echo. The token goes to the store NAME, else the registry's "
                                    + "configured store, else the first writable store of the lookup order (never cargo's own "
                                    + "credentials file unless named).",
                            REGISTRY_IS),
                    List.of(STORE_TO_WRITE, EXPIRES_IN, OPERATIONS),
                    List.of(new Example("latchkey store crates-io", "prompt for crates.io's token and keep it"),
                            new Example("printf '%s\\n' \"$TOKEN\" | latchkey store company --expires-in 90d",
                                    "keep a token read from a pipe, for 90 days"))),
            command("rotate", "REGISTRY", "replace REGISTRY's token (or a login's password), wherever it is kept",
                    List.of("Reads the new token from stdin as store does and puts it in every writable store that holds a "
                                    + "token of the registry for the same operations. The token keeps its creation time and is "
                                    + "marked rotated; revoke the old one at the registry.",
                            REGISTRY_IS, LOGIN_IS),
                    List.of(OPERATIONS, EXPIRES_IN, valued("--store", "NAME", Completion.STORE, "rotate only in the store NAME"),
                            valued("--login", "URL", Completion.NOTHING, "rotate the password of the login URL")),
                    List.of(new Example("latchkey rotate company", "prompt for company's new token and replace the old one"),
                            new Example("latchkey rotate --login https://alice@git.example.com",
                                    "prompt for alice's new password on git.example.com and replace the old one"))),
            command("erase", "REGISTRY", "forget REGISTRY's token (or a login)",
                    List.of("Erases the token from the first writable store a lookup finds it in (the one get would have "
                            + "answered from), from the store NAME, or with --all-stores from every one.", REGISTRY_IS, LOGIN_IS),
                    List.of(valued("--store", "NAME", Completion.STORE, "erase from the store NAME only"),
                            flag("--all-stores", "erase from every writable store that holds one"),
                            valued("--login", "URL", Completion.NOTHING, "erase the login URL")),
                    List.of(new Example("latchkey erase company --all-stores", "forget every token of company's registry"),
                            new Example("latchkey erase --login https://alice@git.example.com", "forget alice's git password there"))),
            command("list", "", "describe the stored tokens and logins, never their secrets",
                    List.of("One row per token: registry (a login: its URL and user), store, operations, age, expiry, last "
                            + "use, index URL. A store "
                            + "that cannot be read (a locked keyring) is named on stderr with the fix; the others are "
                            + "listed all the same. Tokens older than rotate-after are marked ROTATE."),
                    List.of(JSON),
                    List.of(new Example("latchkey list", "a table of what latchkey keeps"))),
            command("audit", "", "show the last requests from the audit log",
                    List.of("Each request latchkey served: when, what, for which registry, from which store, with what "
                            + "outcome, and which program asked (pid, executable, parent)."),
                    List.of(valued("-n", "N", Completion.NOTHING, "the last N entries; default 20"), JSON),
                    List.of(new Example("latchkey audit -n 50", "the last 50 requests"))),
            new CommandSpec("import", "cargo | git [FILE]", "move tokens out of cargo's credentials.toml, or git's passwords out of its file",
                    List.of("`import cargo` moves each token of $CARGO_HOME/credentials.toml into the store a new token of its "
                                    + "registry would go to, then removes it from cargo's file, which silences cargo's warning "
                                    + "about it. A registry's name counts only as bound in latchkey's config or "
                                    + "$CARGO_HOME/config.toml; a token whose name the current directory's cargo config binds "
                                    + "elsewhere is left where it is.",
                            "`import git` moves the credentials git's store helper keeps (FILE, else ~/.git-credentials and "
                                    + "$XDG_CONFIG_HOME/git/credentials) into latchkey as logins, then takes exactly their lines "
                                    + "out of the file, under git's lock, keeping its mode and every other line. A file others "
                                    + "can write, or a link, is refused."),
                    List.of(),
                    List.of(new Example("latchkey import cargo", "move cargo's tokens into latchkey"),
                            new Example("latchkey import git && git config --global credential.helper latchkey",
                                    "move git's stored passwords into latchkey, and have git ask latchkey")),
                    Completion.WORDS, List.of("cargo", "git")),
            command("doctor", "", "which stores are usable here, and why not",
                    List.of("Asks every store whether it can be used (a keyring: is it there and unlocked) and prints what "
                            + "fixes each that cannot; also when the config file cannot be used (exit 2)."),
                    List.of(JSON),
                    List.of(new Example("latchkey doctor", "each store's state"))),
            new CommandSpec("daemon", "[stop | status]", "run, stop or ask the per-user daemon",
                    List.of("`latchkey daemon` starts the daemon, which detaches and answers on its socket; requests then "
                                    + "reach it through a small native relay, with no JVM started per request. It exits after "
                                    + "idle-timeout without a request. `daemon stop` stops it; `daemon status` shows its "
                                    + "version, pid, uptime and stores.",
                            "Requests go through the daemon only when it serves them as their own process would: one "
                                    + "that reads a token variable of the caller's (CARGO_REGISTRY_TOKEN, "
                                    + "CARGO_REGISTRIES_<NAME>_TOKEN), or from a process whose HOME, CARGO_HOME or XDG "
                                    + "directories differ, is served by that process itself."),
                    List.of(flag("--foreground", "stay in the foreground, logging to stderr"),
                            valued("--idle-timeout", "DURATION", Completion.NOTHING, "exit after DURATION without a request; 0 never")),
                    List.of(new Example("latchkey daemon", "start the daemon"),
                            new Example("latchkey daemon status", "is it running, and with which stores")),
                    Completion.WORDS, List.of("stop", "status")),
            command("exec", "-- COMMAND [ARGS...]", "run COMMAND with registries' tokens in its environment, masked in its output",
                    List.of("Puts each named registry's token in COMMAND's environment under cargo's variable name "
                                    + "(CARGO_REGISTRY_TOKEN for crates.io, CARGO_REGISTRIES_<NAME>_TOKEN) or the one --env "
                                    + "names, and replaces every form of those tokens in COMMAND's output with <redacted:NAME>. "
                                    + "Exits with COMMAND's status.",
                            REGISTRY_IS),
                    List.of(valued("--registry", "REGISTRY", Completion.NOTHING, "put REGISTRY's token in the environment (repeatable)"),
                            valued("--operation", "OP", Completion.OPERATION, "the operation the tokens are for; default read"),
                            valued("--env", "VAR=REGISTRY", Completion.NOTHING, "put REGISTRY's token in the variable VAR (repeatable)"),
                            flag("--no-mask", "leave COMMAND's output as it is")),
                    List.of(new Example("latchkey exec --registry company -- cargo publish --registry company",
                            "publish with company's token, which never shows in the output"))),
            new CommandSpec("scan", "[PATH...]", "look for tokens in files and git history; exit 1 when one is found",
                    List.of("Looks for the tokens latchkey keeps (in every form they are written) and for well-known token "
                            + "shapes in PATH (default: the repository or directory here), never printing a token. Exit "
                            + "status 0: none found, 1: found, 2: usage."),
                    List.of(flag("--history", "also every commit of the repository's history"),
                            flag("--staged", "only what is staged for the next commit"),
                            flag("--install-hook", "install a git pre-commit hook that refuses a commit adding a token")),
                    List.of(new Example("latchkey scan --history", "this repository, its history included"),
                            new Example("latchkey scan --install-hook", "check every commit before it is made")),
                    Completion.FILE, List.of()),
            command("stdio", "", "serve the latchkey protocol on stdin and stdout",
                    List.of("One JSON request per line in, one answer per line out (docs/protocol.md), for programs that "
                            + "start latchkey rather than link the client library."),
                    List.of(),
                    List.of(new Example("printf '%s\\n' '{\"v\":1,\"kind\":\"get\",\"registry\":{\"name\":\"crates-io\"}}' | latchkey stdio",
                            "one get"))),
            command("--cargo-plugin", "", "serve cargo's credential-provider protocol (cargo runs this)",
                    List.of("What cargo runs for `credential-provider = [\"latchkey\"]`. Options cargo passes in a request's "
                            + "args: --store NAME, --config PATH, --no-daemon."),
                    List.of(),
                    List.of(new Example("printf '[registry]\\nglobal-credential-providers = [\"latchkey\"]\\n' >> ~/.cargo/config.toml",
                            "make latchkey cargo's credential provider"))),
            new CommandSpec("docker-credential", "store | get | erase | list | version",
                    "docker's credential-helper protocol, for the docker CLI, skopeo and podman",
                    List.of("What docker, skopeo, podman and buildah run as docker-credential-latchkey (a link to latchkey "
                                    + "that scripts/install.sh makes) for the registries their credsStore or credHelpers give "
                                    + "to latchkey. get and erase read the registry's name on stdin, store reads docker's JSON; "
                                    + "a registry is one login whatever form names it (docs/clients.md).",
                            "Nothing stored: `credentials not found in native keychain` on stdout, exit 1, as skopeo and "
                                    + "docker expect; other failures are told on stdout too, where docker quotes them."),
                    List.of(),
                    List.of(new Example("docker login registry.example.com",
                                    "with {\"credsStore\": \"latchkey\"} in ~/.docker/config.json: the password goes to latchkey"),
                            new Example("printf 'registry.example.com' | docker-credential-latchkey get", "what docker is handed")),
                    Completion.WORDS, List.of("store", "get", "erase", "list", "version")),
            new CommandSpec("keyring", "get | set | del SERVICE [USERNAME]", "python-keyring's command line, for pip and uv",
                    List.of("What pip's --keyring-provider subprocess and uv run as keyring (a link to latchkey that "
                                    + "scripts/install.sh --as-keyring makes). get prints the password, or with --mode creds the "
                                    + "user name and the password; set reads the password from stdin (prompted without echo on "
                                    + "a terminal); del erases it. Nothing found: exit 1 and no output.",
                            "SERVICE is an index URL or its host[:port]: a password stored for the host is found by every "
                                    + "index URL on it, as pip asks by the URL first (docs/clients.md)."),
                    List.of(valued("--mode", "MODE", Completion.NOTHING, "password (the default) or creds: print the user name too"),
                            valued("--output", "FORMAT", Completion.NOTHING, "plain (the default) or json")),
                    List.of(new Example("printf '%s\\n' \"$PASSWORD\" | keyring set pypi.example.com alice",
                                    "keep alice's password for the index's host"),
                            new Example("pip install --keyring-provider subprocess --index-url https://alice@pypi.example.com/simple/ pkg",
                                    "pip asks latchkey for it")),
                    Completion.WORDS, List.of("get", "set", "del")),
            command("npm-token", "URL", "print `Bearer TOKEN` for pnpm's tokenHelper",
                    List.of("Prints `Bearer ` and the token stored for the npm registry URL, which pnpm sends as the "
                                    + "Authorization header. pnpm runs its tokenHelper with no arguments, and only from the "
                                    + "user's ~/.npmrc: name a one-line script there that runs this command (docs/clients.md).",
                            "--store reads the token from stdin (prompted without echo on a terminal), never from the command "
                                    + "line; --erase forgets it."),
                    List.of(flag("--store", "keep the token read from stdin as URL's"), flag("--erase", "forget URL's token"),
                            EXPIRES_IN),
                    List.of(new Example("printf '%s\\n' \"$TOKEN\" | latchkey npm-token --store https://npm.example.com/",
                                    "keep the registry's token"),
                            new Example("latchkey npm-token https://npm.example.com/", "what pnpm's tokenHelper script prints"))),
            new CommandSpec("git-credential", "get | store | erase", "serve git's credential-helper protocol (git runs this)",
                    List.of("What git runs, as git-credential-latchkey OP, for `credential.helper = latchkey`. It reads git's "
                                    + "description of a credential (key=value lines) on stdin. get answers the username and "
                                    + "password latchkey keeps for that protocol, host, port, path and user, and nothing when it "
                                    + "has none, so that git asks; store keeps what worked; erase forgets what the server "
                                    + "refused (with a password given, only a login holding that password). Nothing but the "
                                    + "protocol goes to stdout; a store that cannot be read is said on stderr.",
                            "A login is keyed by the URL's scheme, host and port, its path with credential.useHttpPath, and "
                                    + "the user name (docs/credential-model.md)."),
                    List.of(valued("--store", "NAME", Completion.STORE, "keep and look up logins in the store NAME only")),
                    List.of(new Example("git config --global credential.helper latchkey",
                                    "make latchkey git's helper (git-credential-latchkey on PATH, as install.sh puts it)"),
                            new Example("printf 'protocol=https\\nhost=git.example.com\\n' | latchkey git-credential get",
                                    "what git would be told for git.example.com")),
                    Completion.WORDS, List.of("get", "store", "erase")),
            command("--version", "", "print the version, the build's commit and the Java runtime",
                    List.of("Prints one line: latchkey's version, the commit it was built from, and the Java runtime it runs on."),
                    List.of(),
                    List.of(new Example("latchkey --version", "what is installed"))),
            new CommandSpec("--help", "[COMMAND]", "print help; with COMMAND, that command's",
                    List.of("Without COMMAND, the commands at a glance; with it, what the command does, its options and "
                            + "examples. `latchkey COMMAND --help` and `latchkey help COMMAND` say the same."),
                    List.of(),
                    List.of(new Example("latchkey get --help", "get's options and examples")),
                    Completion.WORDS, List.of()));

    /** The command for {@code word} ({@code help} and {@code -h} stand for {@code --help}), or null. */
    public static CommandSpec named(String word) {
        if (word == null) {
            return null;
        }
        String name = word.equals("help") || word.equals("-h") ? "--help" : word;
        for (CommandSpec command : ALL) {
            if (command.name().equals(name)) {
                return command;
            }
        }
        return null;
    }
}
