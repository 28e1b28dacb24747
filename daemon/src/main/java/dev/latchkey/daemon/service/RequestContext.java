package dev.latchkey.daemon.service;

import dev.latchkey.daemon.config.Environment;

/**
 * What a request carries down besides itself, passed to the service rather than smuggled: who
 * asks (for the audit log), the one store its arguments name (or null), the environment of the
 * process that asked, in whose working directory and variables a registry's name is looked up,
 * the program a token is fetched for ({@code latchkey exec}'s command, by its name only), which
 * the audit log records, or null, and the batch it was read in.
 */
public record RequestContext(Caller caller, String onlyStore, Environment callerEnvironment, String forCommand, Batch batch) {
    /** A request read and answered by itself ({@link Batch#ALONE}), for no command in particular. */
    public static RequestContext alone(Caller caller, String onlyStore, Environment callerEnvironment) {
        return new RequestContext(caller, onlyStore, callerEnvironment, null, Batch.ALONE);
    }
}
