package dev.latchkey.daemon.service;

import dev.latchkey.daemon.config.Environment;

import java.util.Set;

/**
 * What a request carries down besides itself, passed to the service rather than smuggled: who
 * asks (for the audit log), the one store its arguments name (or null), the environment of the
 * process that asked, in whose working directory and variables a registry's name is looked up,
 * the program a token is fetched for ({@code latchkey exec}'s command, by its name only), which
 * the audit log records, or null, the batch it was read in, and the token variables the asking
 * process holds that this one cannot read ({@code withheldTokenVariables}: in the daemon, those a
 * relayed invocation's header names; empty where the process serves itself, which reads its own).
 */
public record RequestContext(Caller caller, String onlyStore, Environment callerEnvironment, String forCommand, Batch batch,
                             Set<String> withheldTokenVariables) {
    public RequestContext {
        withheldTokenVariables = Set.copyOf(withheldTokenVariables);
    }

    /** A request read and answered by itself ({@link Batch#ALONE}), for no command in particular, by a process that sees its variables. */
    public static RequestContext alone(Caller caller, String onlyStore, Environment callerEnvironment) {
        return new RequestContext(caller, onlyStore, callerEnvironment, null, Batch.ALONE, Set.of());
    }
}
