package dev.latchkey.daemon.door.cli;

import dev.latchkey.daemon.audit.AuditLog;
import dev.latchkey.daemon.config.ConfigException;
import dev.latchkey.daemon.config.Durations;
import dev.latchkey.daemon.config.Locations;
import dev.latchkey.daemon.door.Arguments;
import dev.latchkey.daemon.door.Door;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.door.latchkey.ServiceHandler;
import dev.latchkey.daemon.service.Batch;
import dev.latchkey.daemon.service.CredentialService;
import dev.latchkey.daemon.service.Logins;
import dev.latchkey.daemon.service.RequestContext;
import dev.latchkey.daemon.service.Version;
import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.CredentialException;
import dev.latchkey.protocol.Dialect;
import dev.latchkey.protocol.Operation;
import dev.latchkey.protocol.Registry;
import dev.latchkey.protocol.Request;
import dev.latchkey.protocol.RequestLine;
import dev.latchkey.protocol.Response;
import dev.latchkey.protocol.ResponseCodec;
import dev.latchkey.protocol.Secret;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code latchkey} command line for people: get, store, rotate, erase, list, audit, import,
 * doctor and --version, as door.Commands defines them (help is HelpDoor's). Standard output
 * carries only what a command is for (a token, a listing); every message goes to standard error.
 * Served by the daemon when one runs, like every front door, so its answers are the daemon's.
 */
public final class Cli implements Door {
    /** How the audit log names the command line's requests about logins: {@code cli-erase}, {@code cli-rotate}. */
    private static final String CLIENT = "cli";
    private static final String LIST_SHOWS_LOGINS = "`latchkey list` shows the logins latchkey keeps, each as --login takes it";

    @Override
    public int serve(Invocation invocation) throws HandBack, UsageException, ConfigException, CredentialException, IOException {
        Command command = new Command(invocation);
        String word = invocation.command().word();
        if (word == null) {
            throw new UsageException("a command is missing (see `latchkey --help`)");
        }
        return switch (word) {
            case "--version" -> command.version();
            case "get" -> command.get();
            case "store" -> command.store();
            case "rotate" -> command.rotate();
            case "erase" -> command.erase();
            case "audit" -> command.audit();
            case "list" -> command.list();
            case "import" -> command.importCargo();
            case "doctor" -> command.doctor();
            default -> throw new UsageException("unknown command `" + word + "` (see `latchkey --help`)");
        };
    }

    /** One command line being run. */
    private static final class Command {
        private final Invocation invocation;
        private final Arguments args;
        private final ServiceHandler handler;

        Command(Invocation invocation) {
            this.invocation = invocation;
            this.args = invocation.arguments();
            this.handler = ServiceHandler.of(invocation, Dialect.LATCHKEY);
        }

        private Response handle(Request request) throws HandBack {
            return handler.handle(new RequestLine(request), Batch.ALONE);
        }

        /** {@code request}, to be served from {@code store} only (null: wherever a lookup looks), as cargo's {@code --store} argument asks. */
        private static RequestLine onlyFrom(String store, Request request) {
            return new RequestLine(null, store == null ? List.of() : List.of("--store", store), request);
        }

        int version() throws UsageException, IOException {
            args.end();
            print(Version.described() + "\n");
            return ExitCodes.OK;
        }


        int get() throws UsageException, CredentialException, IOException, HandBack {
            String registry = args.positional("REGISTRY");
            Operation operation = Operation.fromWire(args.option("--operation").orElse("read"));
            String store = args.option("--store").orElse(null);
            String forCommand = forCommand(args.option("--for-command").orElse(null));
            args.end();
            if (operation == Operation.UNKNOWN) {
                throw new UsageException("--operation takes read, publish, yank, unyank or owners");
            }
            Request.Get request = new Request.Get(Registry.fromNameOrUrl(registry), operation, null, null, null);
            Response.Got got = expect(handler.handle(onlyFrom(store, request), Batch.ALONE, forCommand), Response.Got.class);
            for (String warning : got.warnings()) {
                invocation.err().println("latchkey: warning: " + TerminalText.lines(warning));
            }
            byte[] token = got.token().toUtf8();
            try {
                invocation.out().write(token);
                invocation.out().write('\n');
                invocation.out().flush();
            } finally {
                Arrays.fill(token, (byte) 0);
                got.token().wipe();
            }
            return ExitCodes.OK;
        }

        int store() throws UsageException, CredentialException, IOException, HandBack {
            Handover h = Handover.parse(args, "store");
            try (Secret token = readValidToken(h.target())) {
                Response.Stored stored = expect(handle(new Request.Store("store", h.target(), token, h.expiration(),
                        h.operations(), h.store(), null)), Response.Stored.class);
                invocation.err().println("latchkey: stored the token for `" + TerminalText.line(h.registry()) + "` in the " + stored.store() + " store");
            }
            return ExitCodes.OK;
        }

        int rotate() throws UsageException, ConfigException, CredentialException, IOException, HandBack {
            Optional<String> login = args.option("--login");
            if (login.isPresent()) {
                return rotateLogin(LoginArgument.parse(login.get()));
            }
            Handover h = Handover.parse(args, "rotate");
            try (Secret token = readValidToken(h.target())) {
                Response.Rotated rotated = expect(handle(new Request.Rotate(h.target(), token, h.expiration(), h.operations(),
                        h.store())), Response.Rotated.class);
                invocation.err().println("latchkey: rotated the token for `" + TerminalText.line(h.registry()) + "` in the "
                        + String.join(", ", rotated.stores()) + " store" + (rotated.stores().size() > 1 ? "s" : "")
                        + "; revoke the old one at the registry");
            }
            return ExitCodes.OK;
        }

        int erase() throws UsageException, ConfigException, CredentialException, HandBack {
            Optional<String> login = args.option("--login");
            String registry = login.isPresent() ? null : args.positional("REGISTRY");
            String store = args.option("--store").orElse(null);
            boolean allStores = args.flag("--all-stores");
            args.end();
            if (allStores && store != null) {
                throw new UsageException("--store and --all-stores do not go together: name one store, or ask for all");
            }
            if (login.isPresent()) {
                return eraseLogin(LoginArgument.parse(login.get()), store, allStores);
            }
            Response.Erased erased = expect(handle(new Request.Erase("erase", Registry.fromNameOrUrl(registry), store, allStores)),
                    Response.Erased.class);
            invocation.err().println("latchkey: erased the token for `" + TerminalText.line(registry) + "` from the " + String.join(", ", erased.stores())
                    + " store" + (erased.stores().size() > 1 ? "s" : ""));
            return ExitCodes.OK;
        }

        private int eraseLogin(Logins.Login login, String store, boolean allStores) throws ConfigException, CredentialException {
            List<String> erased = logins().eraseExactly(CLIENT, login, allStores, RequestContext.alone(invocation.caller(), store,
                    invocation.environment()));
            if (erased.isEmpty()) {
                throw new CredentialException.NotFound("no login `" + login.displayName() + "` to erase in "
                        + (store != null ? "the " + store + " store" : "a writable store") + "; " + LIST_SHOWS_LOGINS);
            }
            invocation.err().println("latchkey: erased the login `" + TerminalText.line(login.displayName()) + "` from the "
                    + String.join(", ", erased) + " store" + (erased.size() > 1 ? "s" : ""));
            return ExitCodes.OK;
        }

        private int rotateLogin(Logins.Login login) throws UsageException, ConfigException, CredentialException, IOException, HandBack {
            String store = args.option("--store").orElse(null);
            Long expiration = args.expiresIn();
            if (args.option("--operations").isPresent()) {
                throw new UsageException("a login's password serves every request to its site: --operations is for registry tokens");
            }
            if (args.hasPositional()) {
                throw new UsageException("`latchkey rotate --login URL` reads the new password from stdin, never from the command "
                        + "line (where other users can see it): pipe it in, or type it at the prompt");
            }
            args.end();
            List<String> rotated;
            try (Secret password = readValid("new password for " + login.displayName())) {
                rotated = logins().rotate(CLIENT, login, password, expiration, RequestContext.alone(invocation.caller(), store,
                        invocation.environment()));
            }
            if (rotated.isEmpty()) {
                throw new CredentialException.NotFound("no login `" + login.displayName() + "` to rotate in "
                        + (store != null ? "the " + store + " store" : "a writable store") + "; " + LIST_SHOWS_LOGINS);
            }
            invocation.err().println("latchkey: rotated the password for `" + TerminalText.line(login.displayName()) + "` in the "
                    + String.join(", ", rotated) + " store" + (rotated.size() > 1 ? "s" : "")
                    + "; change it at the site too, if that is not done");
            return ExitCodes.OK;
        }

        private Logins logins() throws ConfigException {
            return invocation.services().forConfig(invocation.config()).logins();
        }

        int list() throws UsageException, CredentialException, IOException, HandBack {
            boolean json = args.flag("--json");
            args.end();
            Response.Listed listed = expect(handle(new Request.ListTokens(null)), Response.Listed.class);
            // What could be read is listed all the same; the status says the list is not whole, as a script must hear.
            int status = listed.unreadable().isEmpty() ? ExitCodes.OK : ExitCodes.of(listed.unreadable().get(0).kind());
            if (json) {
                print(TerminalText.json(new String(ResponseCodec.write(null, listed, Dialect.LATCHKEY), StandardCharsets.UTF_8)));
                return status;
            }
            if (listed.entries().isEmpty() && listed.unreadable().isEmpty()) {
                invocation.err().println("latchkey: no tokens or logins stored");
                return ExitCodes.OK;
            }
            Instant now = Instant.now();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"REGISTRY OR LOGIN", "STORE", "OPERATIONS", "AGE", "EXPIRES", "LAST USED", "INDEX URL"});
            boolean anyDue = false;
            for (Response.TokenInfo e : listed.entries()) {
                Long since = e.updated() != null ? e.updated() : e.created();
                anyDue |= e.rotateDue();
                rows.add(new String[] {
                    e.login() != null ? e.login() : e.name() != null ? e.name() : "-",
                    e.store(),
                    e.login() != null ? "-" : e.operations().isEmpty() ? "all"
                            : String.join(",", e.operations().stream().map(Operation::wire).toList()),
                    since == null ? "-" : ago(now, since) + (e.rotateDue() ? " ROTATE" : ""),
                    e.expiration() == null ? "never" : Instant.ofEpochSecond(e.expiration()).toString()
                            + (e.expiration() <= now.getEpochSecond() ? " (expired)" : ""),
                    e.lastUsed() == null ? "-" : ago(now, e.lastUsed()) + " ago",
                    e.indexUrl() != null ? e.indexUrl() : "-"});
            }
            if (rows.size() > 1) {
                print(Table.format(rows));
            }
            for (Response.Unreadable store : listed.unreadable()) {
                invocation.err().println("latchkey: not listed: the tokens of the " + store.store() + " store, which could not be read ("
                        + store.kind().wire() + "): " + TerminalText.lines(store.message()));
            }
            if (anyDue) {
                invocation.err().println("latchkey: tokens marked ROTATE are older than rotate-after: replace each with "
                        + "`latchkey rotate REGISTRY` (a login: `latchkey rotate --login URL`)");
            }
            return status;
        }

        int audit() throws UsageException, IOException {
            boolean json = args.flag("--json");
            String count = args.option("-n").orElse("20");
            args.end();
            int n;
            try {
                n = Integer.parseInt(count);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1) {
                throw new UsageException("-n takes a positive whole number of entries, not `" + count + "`");
            }
            AuditLog log = new AuditLog(new Locations(invocation.environment()).stateDirectory().resolve("audit.log"));
            List<String> lines = log.last(n);
            if (lines.isEmpty()) {
                invocation.err().println("latchkey: the audit log " + TerminalText.line(log.path().toString()) + " is empty");
                return ExitCodes.OK;
            }
            if (json) {
                print(TerminalText.json(String.join("\n", lines) + "\n"));
                return ExitCodes.OK;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"TIME", "KIND", "OPERATION", "REGISTRY", "STORE", "OUTCOME", "PID", "PROGRAM"});
            for (String line : lines) {
                Map<String, String> f = AuditLog.fields(line);
                String program = f.getOrDefault("exe", "-");
                if (f.containsKey("parent-exe")) {
                    program += " (parent " + f.get("parent-exe") + ")";
                }
                if (f.containsKey("for-command")) {
                    program += " for " + f.get("for-command");
                }
                rows.add(new String[] {time(f.get("time")), f.getOrDefault("kind", "?"), f.getOrDefault("operation", "-"),
                    f.getOrDefault("name", f.getOrDefault("registry", "-")), f.getOrDefault("store", "-"),
                    f.getOrDefault("outcome", "?"), f.getOrDefault("pid", "-"), program});
            }
            print(Table.format(rows));
            return ExitCodes.OK;
        }

        int importCargo() throws UsageException, ConfigException, CredentialException {
            String what = args.positional("what to import (cargo or git)");
            args.end();
            if (!what.equals("cargo")) {
                // `import git` is git's door's (doors.FrontDoors)
                throw new UsageException("latchkey imports from `cargo` or `git` only");
            }
            CredentialService.ImportReport report = invocation.services().forConfig(invocation.config())
                    .importFromCargo(context());
            if (report.moved().isEmpty() && report.leftAlone().isEmpty()) {
                invocation.err().println("latchkey: no tokens to import from cargo's credentials file");
            }
            for (CredentialService.Imported m : report.moved()) {
                invocation.err().println("latchkey: moved the token for `" + TerminalText.line(m.registry())
                        + "` from cargo's credentials file to the " + m.store() + " store");
            }
            for (String why : report.leftAlone()) {
                invocation.err().println("latchkey: left in cargo's credentials file: " + TerminalText.lines(why));
            }
            return ExitCodes.OK;
        }

        /**
         * Which stores are usable, and why not. A config file that cannot be used (broken, or one
         * others could have written) does not stop it: it says why, as every command does, then
         * reports the stores as they are without that file, and exits 2.
         */
        int doctor() throws UsageException, CredentialException, IOException {
            boolean json = args.flag("--json");
            args.end();
            CredentialService service;
            String configProblem = null;
            try {
                service = invocation.services().forConfig(invocation.config());
            } catch (ConfigException e) {
                configProblem = e.getMessage();
                invocation.err().println("latchkey: " + ConfigException.PREFIX + TerminalText.lines(configProblem));
                service = invocation.services().withoutConfigFile();
            }
            Response.StatusReport status = expect(service.handle(new Request.Status(), context()), Response.StatusReport.class);
            if (json) {
                print(TerminalText.json(new String(ResponseCodec.write(null, status, Dialect.LATCHKEY), StandardCharsets.UTF_8)));
            } else {
                print("latchkey " + status.version() + "\n"
                        + (configProblem == null ? "" : "config: not used, see above; the stores as they are without it:\n")
                        + Table.storeStates(status.stores()));
            }
            return configProblem == null ? ExitCodes.OK : ExitCodes.USAGE;
        }

        private RequestContext context() {
            return RequestContext.alone(invocation.caller(), null, invocation.environment());
        }

        private Secret readValidToken(Registry registry) throws IOException, UsageException, HandBack {
            return readValid("token for " + registry.displayName());
        }

        /** The secret typed at the prompt {@code what} (a terminal) or given on stdin, refused when it cannot be one. */
        private Secret readValid(String what) throws IOException, UsageException, HandBack {
            Secret token = readToken(invocation, what);
            String problem = token.problem();
            if (problem != null) {
                token.wipe();
                throw UsageException.badInput(problem);
            }
            return token;
        }

        private void print(String text) throws IOException {
            invocation.out().write(text.getBytes(StandardCharsets.UTF_8));
            invocation.out().flush();
        }
    }

    /** The secret typed at the terminal (echo off, prompted {@code what}) when stdin is one, else the first line of stdin. */
    private static Secret readToken(Invocation invocation, String what) throws IOException, UsageException, HandBack {
        if (invocation.isTerminal(0)) {
            Secret typed = invocation.askAtTerminal(TerminalText.line(what) + ": ", "asking for the token");
            if (typed == null) {
                throw UsageException.badInput("no token: pipe it on stdin");
            }
            return typed;
        }
        byte[] line = new byte[64 * 1024];
        int length = 0;
        try {
            int b;
            while ((b = invocation.in().read()) >= 0 && b != '\n') {
                if (length == line.length) {
                    throw UsageException.badInput("the token on stdin is longer than 64 KiB");
                }
                line[length++] = (byte) b;
            }
            int start = 0;
            while (start < length && (line[start] == ' ' || line[start] == '\t' || line[start] == '\r')) {
                start++;
            }
            while (length > start && (line[length - 1] == ' ' || line[length - 1] == '\t' || line[length - 1] == '\r')) {
                length--;
            }
            return Secret.fromUtf8(line, start, length - start);
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }

    /** What {@code store} and {@code rotate} are told on the command line; the token itself comes on stdin. */
    private record Handover(String registry, String store, Long expiration, Set<Operation> operations) {
        static Handover parse(Arguments args, String command) throws UsageException {
            Handover handover = new Handover(args.positional("REGISTRY"), args.option("--store").orElse(null),
                    args.expiresIn(), Cli.operations(args));
            if (args.hasPositional()) {
                // Most likely the token itself: refuse it without repeating it on the terminal.
                throw new UsageException("`latchkey " + command + "` reads the token from stdin, never from the command line "
                        + "(where other users can see it): pipe it in, or type it at the prompt");
            }
            args.end();
            return handover;
        }

        Registry target() {
            return Registry.fromNameOrUrl(registry);
        }
    }

    /**
     * {@code --for-command NAME}: the program a token is fetched for, a name as the audit table
     * shows it (one line, no control characters), or null.
     */
    private static String forCommand(String name) throws UsageException {
        if (name != null && (name.isEmpty() || name.length() > 255 || name.codePoints().anyMatch(Character::isISOControl))) {
            throw new UsageException("--for-command takes the name of a program: one line, at most 255 characters");
        }
        return name;
    }

    /** {@code --operations OP,...}; empty (every operation) when absent. */
    private static Set<Operation> operations(Arguments args) throws UsageException {
        Set<Operation> operations = EnumSet.noneOf(Operation.class);
        var ops = args.option("--operations");
        if (ops.isPresent()) {
            for (String op : ops.get().split(",")) {
                Operation parsed = Operation.fromWire(op.trim());
                if (parsed == Operation.UNKNOWN) {
                    throw new UsageException("--operations: unknown operation `" + op.trim() + "` (use read, publish, yank, unyank, owners)");
                }
                operations.add(parsed);
            }
        }
        return operations;
    }

    private static String ago(Instant now, long then) {
        return Durations.format(Duration.ofSeconds(Math.max(0, now.getEpochSecond() - then)));
    }

    private static String time(String unixSeconds) {
        try {
            return Instant.ofEpochSecond(Long.parseLong(unixSeconds)).toString();
        } catch (NumberFormatException e) {
            return "?";
        }
    }

    /** A failure response becomes its exception; anything else must be the expected answer. */
    private static <T extends Response> T expect(Response response, Class<T> type) throws CredentialException {
        if (response instanceof Response.Failure failure) {
            throw CredentialException.from(failure);
        }
        return type.cast(response);
    }
}
